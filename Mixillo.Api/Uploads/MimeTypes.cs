using System.Text.RegularExpressions;

namespace Mixillo.Api.Uploads;

/// <summary>
/// What an upload's <c>mimeType</c> may be: <c>type/subtype</c> in RFC 6838's syntax (restricted names, no
/// parameters), at most 127 characters, as a browser's <c>File.type</c> gives it. It is kept with the upload
/// and the job, so anything longer or stranger is refused rather than stored.
/// </summary>
public static partial class MimeTypes
{
    public const int MaxLength = 127;

    public static bool IsValid(string mimeType) => mimeType.Length <= MaxLength && Syntax().IsMatch(mimeType);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
