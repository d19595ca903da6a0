using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Mixillo.Api.Auth;

/// <summary>The <c>Auth</c> section: HS256 tokens, checked for signature, issuer, audience, lifetime and algorithm.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string AdminRole = "admin";
    public const string AdminPolicy = "admin";
    public const string RoleClaim = "role";
    public const string UserClaim = "sub";
    public const string UsernameClaim = "preferred_username";
    public const string NameClaim = "name";
    public const string EmailClaim = "email";

    /// <summary>Only ever used when the environment is Development and no key is configured.</summary>
    internal const string DevelopmentKey = "mixillo-development-signing-key-not-for-production-use";

    private const int MinKeyBytes = 32;

    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "mixillo";

    public string Audience { get; set; } = "mixillo";

    /// <summary>The key to use, or a clear refusal: outside Development a real key of at least 32 bytes is required.</summary>
    public SymmetricSecurityKey Key(bool development)
    {
        var key = string.IsNullOrEmpty(SigningKey) && development ? DevelopmentKey : SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"{Section}:SigningKey is required outside the Development environment.");
        }

        var bytes = Encoding.UTF8.GetBytes(key);
        return bytes.Length >= MinKeyBytes
            ? new SymmetricSecurityKey(bytes)
            : throw new ArgumentException($"{Section}:SigningKey must be at least {MinKeyBytes} bytes.");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first key whose value cannot work.</summary>
    public void Validate(bool development)
    {
        Key(development);
        if (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience))
        {
            throw new ArgumentException($"{Section}:Issuer and {Section}:Audience cannot be empty.");
        }
    }
}
