using Mixillo.Errors;

namespace Mixillo.Media;

/// <summary>A failure with its entry of <see cref="ErrorCatalog"/>.</summary>
public sealed class MediaException(ErrorCode error, string message, Exception? inner = null) : Exception(message, inner), ICodedException
{
    public ErrorCode Error { get; } = error;

    public string Code => Error.Code;

    /// <summary>Input errors are the source's fault: retrying them cannot help.</summary>
    public bool IsInputError => Error.IsInputError;

    /// <summary>The last lines ffmpeg wrote to stderr, for logs only: never shown to a client.</summary>
    public string? Diagnostics { get; init; }
}
