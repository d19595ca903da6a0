using System.Globalization;
using Microsoft.Extensions.Configuration;
using Mixillo.Jobs.Model;

namespace Mixillo.Api.Auth;

/// <summary><c>token --user ID [--role admin] [--hours 24] [--username U] [--name N] [--email E]</c>: prints a token signed with the configured key.</summary>
public static class TokenCommand
{
    public const string Synopsis = "usage: Mixillo.Api token --user ID [--role admin] [--hours 24] [--username U] [--name \"FULL NAME\"] [--email E]";

    public static int Run(IReadOnlyList<string> args, IConfiguration configuration, bool development, TextWriter stdout, TextWriter stderr)
    {
        string? user = null;
        string? role = null;
        var profile = new UserInfo(null, null, null);
        var hours = 24.0;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--user" when value is not null:
                    user = value;
                    i++;
                    break;
                case "--role" when value is not null:
                    role = value;
                    i++;
                    break;
                case "--username" when value is not null:
                    profile = profile with { Username = value };
                    i++;
                    break;
                case "--name" when value is not null:
                    profile = profile with { FullName = value };
                    i++;
                    break;
                case "--email" when value is not null:
                    profile = profile with { Email = value };
                    i++;
                    break;
                case "--hours" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out hours) && hours is > 0 and <= 24 * 365:
                    i++;
                    break;
                default:
                    return Fail(stderr, $"Unexpected '{args[i]}'.");
            }
        }

        // The API refuses tokens it could not keep the user of (Tokens.Refusal): never print one.
        if (!UserIds.IsValid(user))
        {
            return Fail(stderr, $"--user is required: {UserIds.Rule}");
        }

        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        try
        {
            profile.Validate();
            stdout.WriteLine(Tokens.Issue(options, options.Key(development), user, role, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow, profile));
            return 0;
        }
        catch (ArgumentException ex)
        {
            return Fail(stderr, ex.Message);
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        stderr.WriteLine(Synopsis);
        return 2;
    }
}
