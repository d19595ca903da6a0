using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>
/// The API in-process, on a database and storage folder of its own, with a known signing key and no in-process
/// worker. (Any type of the API's assembly names its entry point; the tests have a Program of their own.)
/// </summary>
public class ApiFactory : WebApplicationFactory<AuthOptions>
{
    public const string SigningKey = "tests-signing-key-of-at-least-thirty-two-bytes";
    private readonly TempFolder _folder = new();
    private readonly IReadOnlyDictionary<string, string?> _configuration;

    public ApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>With <paramref name="configuration"/> applied last (a deployment's store and storage, say).</summary>
    internal ApiFactory(IReadOnlyDictionary<string, string?> configuration) => _configuration = configuration;

    public static AuthOptions Auth { get; } = new() { SigningKey = SigningKey, Issuer = "mixillo", Audience = "mixillo" };

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public IObjectStorage Storage => Services.GetRequiredService<IObjectStorage>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:mixillo", $"Data Source={_folder.File("mixillo.db")}");
        builder.UseSetting("Storage:Root", _folder.File("media"));
        builder.UseSetting("Upload:ScratchRoot", _folder.File("uploads"));
        builder.UseSetting("Worker:ScratchRoot", _folder.File("scratch"));
        builder.UseSetting("Auth:SigningKey", SigningKey);
        foreach (var (key, value) in Settings.Concat(_configuration))
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Settings a derived factory changes.</summary>
    protected virtual Dictionary<string, string?> Settings => new() { ["Worker:InProcess"] = "false" };

    /// <summary>A client carrying a token for <paramref name="user"/> (with <paramref name="role"/>), or none.</summary>
    public async Task<HttpClient> ClientAsync(string? user = null, string? role = null, UserInfo? profile = null)
    {
        await Store.InitializeAsync(CancellationToken.None);
        await Storage.InitializeAsync(CancellationToken.None);
        var client = CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(user, role, profile: profile));
        }

        return client;
    }

    public static string Token(string user, string? role, TimeSpan? lifetime = null, AuthOptions? options = null, UserInfo? profile = null) =>
        Tokens.Issue(options ?? Auth, (options ?? Auth).Key(development: false), user, role, lifetime ?? TimeSpan.FromHours(1), DateTimeOffset.UtcNow, profile);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }
}
