using System.Diagnostics.CodeAnalysis;

namespace Mixillo.Jobs.Model;

/// <summary>
/// A user is who a token's <c>sub</c> names; jobs, uploads and the admin filter all carry that id, so one rule
/// holds for all of them.
/// </summary>
public static class UserIds
{
    public const int MaxLength = 128;

    public const string Rule = "userId is 1-128 characters, not blank, without control characters.";

    /// <summary>Control characters are refused as well: PostgreSQL cannot hold U+0000 in text, and the others have no place in a name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= MaxLength && !id.Any(char.IsControl);
}
