namespace Mixillo.Media;

/// <summary>A failure with a stable <see cref="Code"/> (see <see cref="MediaErrorCodes"/>).</summary>
public sealed class MediaException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    /// <summary>Input errors are the source's fault: retrying them cannot help.</summary>
    public bool IsInputError => Code.StartsWith("input_", StringComparison.Ordinal);

    /// <summary>The last lines ffmpeg wrote to stderr, for logs only: never shown to a client.</summary>
    public string? Diagnostics { get; init; }
}
