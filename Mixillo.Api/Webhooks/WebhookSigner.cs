using System.Security.Cryptography;
using System.Text;

namespace Mixillo.Api.Webhooks;

/// <summary>Secrets and signatures as Standard Webhooks defines them (<c>whsec_</c> secrets, <c>v1,</c> HMAC-SHA256 signatures).</summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary><c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary><c>v1,</c> and the base64 HMAC-SHA256, keyed with the secret's decoded bytes, of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
    }
}
