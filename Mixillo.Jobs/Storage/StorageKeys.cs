using Mixillo.Errors;

namespace Mixillo.Jobs.Storage;

/// <summary>
/// What a storage key may be: '/'-separated segments of letters, digits, '.', '_' and '-'; no empty, '.' or
/// '..' segment, no leading '/', at most 512 characters. Keys come partly from users (content ids, file
/// names), so anything else is refused before it reaches a disk path or a URL.
/// </summary>
public static class StorageKeys
{
    public const int MaxLength = 512;

    public static bool IsValid(string? key) => Check(key, prefix: false) is null;

    /// <summary>Throws <see cref="InvalidStorageKeyException"/> naming what is wrong.</summary>
    public static string Validate(string? key) => Check(key, prefix: false) is { } problem ? throw new InvalidStorageKeyException(key, problem) : key!;

    /// <summary>A prefix is a key that may end with '/' (a folder), or be empty (everything).</summary>
    public static string ValidatePrefix(string? prefix) =>
        prefix == "" ? prefix : Check(prefix, prefix: true) is { } problem ? throw new InvalidStorageKeyException(prefix, problem) : prefix!;

    /// <summary>Joins segments with '/', validating the result.</summary>
    public static string Join(params string[] segments) => Validate(string.Join('/', segments));

    private static string? Check(string? key, bool prefix)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "it is empty";
        }

        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        var body = prefix && key.EndsWith('/') ? key[..^1] : key;
        foreach (var segment in body.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return "it has an empty, '.' or '..' segment";
            }

            if (!segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return "only letters, digits, '.', '_', '-' and '/' are allowed";
            }
        }

        return null;
    }
}

public sealed class InvalidStorageKeyException(string? key, string problem)
    : ArgumentException($"Storage key '{key}' is not accepted: {problem}."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.InvalidStorageKey;
}
