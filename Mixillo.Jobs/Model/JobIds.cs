using System.Security.Cryptography;

namespace Mixillo.Jobs.Model;

public static class JobIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary><c>job_{unixms}_{random}</c>, as the original design names jobs.</summary>
    public static string New(DateTimeOffset now) => $"job_{now.ToUnixTimeMilliseconds()}_{RandomNumberGenerator.GetString(Alphabet, 9)}";

    /// <summary>Ids are only ever letters, digits, '_' and '-': safe in URLs, storage keys and logs.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
