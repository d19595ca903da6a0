using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mixillo.Tests.Support;

/// <summary>A receiver's check of a delivery, exactly as the README's "Webhooks" section shows it.</summary>
public static class WebhookVerifier
{
    public static bool Verify(string secret, string id, string timestamp, string body, string signatureHeader)
    {
        // Old (or future) timestamps are replays: refuse more than 5 minutes away.
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"))));
        // The header holds one or more space-separated "v1,<base64>"; any may match.
        return signatureHeader.Split(' ').Any(signature => signature.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature[3..]), expected));
    }
}
