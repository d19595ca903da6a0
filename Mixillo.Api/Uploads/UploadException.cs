namespace Mixillo.Api.Uploads;

/// <summary>A refused upload step, with its stable code.</summary>
/// <param name="retryAfter">For a limit that lifts by itself: when to ask again (the <c>Retry-After</c> header).</param>
public sealed class UploadException(string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public const string Invalid = "upload_invalid";
    public const string TooLarge = "upload_too_large";
    public const string NotVideo = "upload_not_video";
    public const string ChunkSize = "chunk_size_mismatch";
    public const string Incomplete = "upload_incomplete";
    public const string Completed = "upload_completed";
    public const string Completing = "upload_completing";
    public const string Rejected = "upload_rejected";
    public const string TooManyUploads = "too_many_uploads";
    public const string QuotaExceeded = "upload_quota_exceeded";
    public const string TooManyJobs = "too_many_jobs";
    public const string TooManyChunks = "too_many_chunks";
    public const string ChunkTimeout = "chunk_timeout";
    public const string InsufficientStorage = "insufficient_storage";

    public string Code { get; } = code;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public int Status => Code switch
    {
        TooLarge => StatusCodes.Status413PayloadTooLarge,
        NotVideo => StatusCodes.Status415UnsupportedMediaType,
        Incomplete or Completed or Completing or Rejected => StatusCodes.Status409Conflict,
        TooManyUploads or QuotaExceeded or TooManyJobs or TooManyChunks => StatusCodes.Status429TooManyRequests,
        ChunkTimeout => StatusCodes.Status408RequestTimeout,
        InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        _ => StatusCodes.Status400BadRequest,
    };
}
