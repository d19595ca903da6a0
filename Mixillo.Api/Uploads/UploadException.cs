using Mixillo.Errors;

namespace Mixillo.Api.Uploads;

/// <summary>A refused upload step, with its entry of <see cref="ErrorCatalog"/> (which gives its status).</summary>
/// <param name="retryAfter">For a limit that lifts by itself: when to ask again (the <c>Retry-After</c> header).</param>
public sealed class UploadException(ErrorCode error, string message, TimeSpan? retryAfter = null) : Exception(message), ICodedException
{
    public ErrorCode Error { get; } = error;

    public string Code => Error.Code;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
