namespace Mixillo.Errors;

/// <summary>
/// Every error code the service gives, each written once: the API's problem details take their status from here,
/// a failed job's error log its retry rule, and the README's table and the OpenAPI document are made from
/// <see cref="All"/>. Codes are never renamed; a new one is added here, with its meaning.
/// </summary>
public static class ErrorCatalog
{
    private const int BadRequestStatus = 400;
    private const int NotFoundStatus = 404;
    private const int ConflictStatus = 409;
    private const int InvalidMedia = 422;
    private const int TooManyRequests = 429;

    // Declared first: the entries below add themselves in the order they are written.
    private static readonly List<ErrorCode> Entries = [];

    // Media: the source (at complete, and when a job reads it) and the engine's ffmpeg runs.
    public static readonly ErrorCode InputNotFound = Add("input_not_found", ErrorArea.Media, InvalidMedia, false, "no such file");
    public static readonly ErrorCode InputEmpty = Add("input_empty", ErrorArea.Media, InvalidMedia, false, "zero bytes");
    public static readonly ErrorCode InputNotVideo = Add("input_not_video", ErrorArea.Media, InvalidMedia, false, "text, or no video stream (audio only, cover art)");
    public static readonly ErrorCode InputMalformed = Add("input_malformed", ErrorArea.Media, InvalidMedia, false, "a video container that cannot be read or decoded (corrupt, or cut short before its index)");
    public static readonly ErrorCode InputTruncated = Add("input_truncated", ErrorArea.Media, InvalidMedia, false, "the file ends before the media its container declares (an interrupted upload or copy)");
    public static readonly ErrorCode InputTooShort = Add("input_too_short", ErrorArea.Media, InvalidMedia, false, "under `Media:MinDurationSeconds` (0.5 s)");
    public static readonly ErrorCode InputTooLong = Add("input_too_long", ErrorArea.Media, InvalidMedia, false, "over `Media:MaxDurationSeconds` (600 s), or holding more than it declares: media going on 2 s or 5 % past its declared duration, or more frames than that time holds");
    public static readonly ErrorCode InputTooLarge = Add("input_too_large", ErrorArea.Media, InvalidMedia, false, "over `Media:MaxFileSizeBytes` (2 GiB)");
    public static readonly ErrorCode InputDimensionsUnsupported = Add("input_dimensions_unsupported", ErrorArea.Media, InvalidMedia, false, "short side under 16 px or long side over 7680 px, or a picture that grows mid-stream past 7680 x 7680 pixels");
    public static readonly ErrorCode InputUnsupportedFormat = Add("input_unsupported_format", ErrorArea.Media, InvalidMedia, false, "a container that is not accepted: playlists (HLS, concat), images, ...");
    public static readonly ErrorCode EncodeFailed = Add("encode_failed", ErrorArea.Media, null, true, "ffmpeg's encode exited with an error (its stderr goes to logs, not to clients); when it fails decoding the source (`partial file`, `Invalid NAL unit size`, ...) the code is `input_truncated` or `input_malformed` instead");
    public static readonly ErrorCode PackageFailed = Add("package_failed", ErrorArea.Media, null, true, "ffmpeg's HLS or DASH packaging exited with an error");
    public static readonly ErrorCode EncoderStalled = Add("encoder_stalled", ErrorArea.Media, null, true, "ffmpeg made no progress for `Media:StallTimeout` (60 s) and was killed");
    public static readonly ErrorCode FfmpegMissing = Add("ffmpeg_missing", ErrorArea.Media, null, true, "ffmpeg or ffprobe is not installed");
    public static readonly ErrorCode InvalidArguments = Add("invalid_arguments", ErrorArea.Media, null, null, "`process`: the command line is wrong");
    public static readonly ErrorCode InvalidConfiguration = Add("invalid_configuration", ErrorArea.Media, null, null, "`process`: a `Media:*` setting is unusable");
    public static readonly ErrorCode Cancelled = Add("cancelled", ErrorArea.Media, null, null, "`process` interrupted; a content's `error` when its job was cancelled");

    // Upload: the chunked upload and the content status routes.
    public static readonly ErrorCode UploadInvalid = Add("upload_invalid", ErrorArea.Upload, BadRequestStatus, null, "an initialize field out of bounds, a chunk index out of range, a completion whose job cannot be made");
    public static readonly ErrorCode ChunkSizeMismatch = Add("chunk_size_mismatch", ErrorArea.Upload, BadRequestStatus, null, "a chunk that is not exactly its size");
    public static readonly ErrorCode UploadNotFound = Add("upload_not_found", ErrorArea.Upload, NotFoundStatus, null, "no such upload (or someone else's)");
    public static readonly ErrorCode ContentNotFound = Add("content_not_found", ErrorArea.Upload, NotFoundStatus, null, "no such content (or someone else's)");
    public static readonly ErrorCode ChunkTimeout = Add("chunk_timeout", ErrorArea.Upload, 408, null, "a chunk upload that took longer than `Upload:ChunkTimeout`");
    public static readonly ErrorCode UploadIncomplete = Add("upload_incomplete", ErrorArea.Upload, ConflictStatus, null, "completing an upload whose chunks have not all arrived");
    public static readonly ErrorCode UploadCompleted = Add("upload_completed", ErrorArea.Upload, ConflictStatus, null, "a chunk for an upload already completed");
    public static readonly ErrorCode UploadCompleting = Add("upload_completing", ErrorArea.Upload, ConflictStatus, null, "a chunk for an upload being completed");
    public static readonly ErrorCode UploadRejected = Add("upload_rejected", ErrorArea.Upload, ConflictStatus, null, "a chunk for an upload whose completion was refused (start a new upload)");
    public static readonly ErrorCode UploadTooLarge = Add("upload_too_large", ErrorArea.Upload, 413, null, "`fileSize` over `Upload:MaxFileSizeBytes`");
    public static readonly ErrorCode UploadNotVideo = Add("upload_not_video", ErrorArea.Upload, 415, null, "not a video by `mimeType` or file ending");
    public static readonly ErrorCode TooManyUploads = Add("too_many_uploads", ErrorArea.Upload, TooManyRequests, null, "a user's open uploads at `Upload:MaxOpenUploadsPerUser`, with `Retry-After`");
    public static readonly ErrorCode UploadQuotaExceeded = Add("upload_quota_exceeded", ErrorArea.Upload, TooManyRequests, null, "a user's open uploads would promise more than `Upload:MaxOpenBytesPerUser` bytes, with `Retry-After`");
    public static readonly ErrorCode TooManyJobs = Add("too_many_jobs", ErrorArea.Upload, TooManyRequests, null, "a user's waiting and running jobs at `Upload:MaxActiveJobsPerUser`, with `Retry-After`");
    public static readonly ErrorCode TooManyChunks = Add("too_many_chunks", ErrorArea.Upload, TooManyRequests, null, "a user's chunks in flight at `Upload:MaxConcurrentChunksPerUser`, with `Retry-After`");
    public static readonly ErrorCode InsufficientStorage = Add("insufficient_storage", ErrorArea.Upload, 507, null, "the service is short of disk space");

    // Job: the admin API's job routes, and what a failed job records.
    public static readonly ErrorCode InvalidJob = Add("invalid_job", ErrorArea.Job, BadRequestStatus, null, "enqueueing: a field the job cannot take");
    public static readonly ErrorCode SourceMissing = Add("source_missing", ErrorArea.Job, BadRequestStatus, false, "enqueueing: no object at `sourceKey`; a job: its source is not in storage (removed, or the upload never landed)");
    public static readonly ErrorCode JobNotFound = Add("job_not_found", ErrorArea.Job, NotFoundStatus, null, "no such job");
    public static readonly ErrorCode IllegalTransition = Add("illegal_transition", ErrorArea.Job, ConflictStatus, null, "the job's status does not allow it (cancelling a finished job, retrying one that did not fail)");
    public static readonly ErrorCode RetriesExhausted = Add("retries_exhausted", ErrorArea.Job, ConflictStatus, null, "retrying a job that has used all its retries");
    public static readonly ErrorCode TaskNotFailed = Add("task_not_failed", ErrorArea.Job, ConflictStatus, null, "retrying a task that did not fail");
    public static readonly ErrorCode ContentExists = Add("content_exists", ErrorArea.Job, ConflictStatus, null, "enqueueing a job for a content id that already has one");
    public static readonly ErrorCode WorkerError = Add("worker_error", ErrorArea.Job, null, true, "a job: anything not known to be the input's fault or storage being away (the worker's log has the exception)");
    public static readonly ErrorCode WorkerLost = Add("worker_lost", ErrorArea.Job, null, true, "a job: its worker stopped sending heartbeats, or is gone");
    public static readonly ErrorCode LeaseLost = Add("lease_lost", ErrorArea.Job, null, null, "logs: a worker no longer holds the job it was running (recovered, cancelled or claimed again), and stops");

    // Storage: keys and the object store.
    public static readonly ErrorCode InvalidStorageKey = Add("invalid_storage_key", ErrorArea.Storage, BadRequestStatus, false, "an unsafe or foreign storage key (`sourceKey` when enqueueing, or a job's)");
    public static readonly ErrorCode StorageUnavailable = Add("storage_unavailable", ErrorArea.Storage, null, true, "a job: the object store did not answer, or answered that it is busy or broken");
    public static readonly ErrorCode ObjectNotFound = Add("object_not_found", ErrorArea.Storage, null, null, "logs: no object at a key the service expected");

    // Api: what any route may answer.
    public static readonly ErrorCode BadRequest = Add("bad_request", ErrorArea.Api, BadRequestStatus, null, "a query value out of its range, a body that is not JSON of the route's shape, a parameter that does not parse");
    public static readonly ErrorCode InvalidId = Add("invalid_id", ErrorArea.Api, BadRequestStatus, null, "an id that is not 1-64 letters, digits, `_` or `-`");
    public static readonly ErrorCode InvalidCursor = Add("invalid_cursor", ErrorArea.Api, BadRequestStatus, null, "a `cursor` not made by the service, or with another `sortBy`/`sortOrder`, or with `skip`");
    public static readonly ErrorCode WebhookUrlInvalid = Add("webhook_url_invalid", ErrorArea.Api, BadRequestStatus, null, "a webhook `url` that is not an absolute http(s) URL of at most 2,048 characters without user information");
    public static readonly ErrorCode WebhookUrlRefused = Add("webhook_url_refused", ErrorArea.Api, BadRequestStatus, null, "a webhook `url` whose host resolves to an internal address, or does not resolve");
    public static readonly ErrorCode Unauthorized = Add("unauthorized", ErrorArea.Api, 401, null, "no token, or one that fails a check");
    public static readonly ErrorCode Forbidden = Add("forbidden", ErrorArea.Api, 403, null, "an admin route without `role: admin`");
    public static readonly ErrorCode NotFound = Add("not_found", ErrorArea.Api, NotFoundStatus, null, "no such route, media or task");
    public static readonly ErrorCode WebhookNotFound = Add("webhook_not_found", ErrorArea.Api, NotFoundStatus, null, "no such webhook");
    public static readonly ErrorCode WebhookDeliveryNotFound = Add("webhook_delivery_not_found", ErrorArea.Api, NotFoundStatus, null, "no such delivery of that webhook");
    public static readonly ErrorCode MethodNotAllowed = Add("method_not_allowed", ErrorArea.Api, 405, null, "a route without that method");
    public static readonly ErrorCode WebhookDeliveryPending = Add("webhook_delivery_pending", ErrorArea.Api, ConflictStatus, null, "redelivering a webhook delivery that is still pending (it is sent when due)");
    public static readonly ErrorCode PayloadTooLarge = Add("payload_too_large", ErrorArea.Api, 413, null, "a JSON body over 16 KiB");
    public static readonly ErrorCode UnsupportedMediaType = Add("unsupported_media_type", ErrorArea.Api, 415, null, "a JSON route's body sent without `Content-Type: application/json`");
    public static readonly ErrorCode InternalError = Add("internal_error", ErrorArea.Api, 500, null, "a bug: logged, and the body says nothing more");

    public static IReadOnlyList<ErrorCode> All => Entries;

    /// <summary>The entry of a code read back from storage (a refused upload's), or null for one this version does not know.</summary>
    public static ErrorCode? Find(string code) => Entries.Find(e => e.Code == code);

    /// <summary>
    /// The code of a status the framework answers by itself (an unreadable body, no such route): its generic entry,
    /// or <c>http_{status}</c> for a status without one.
    /// </summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest.Code,
        401 => Unauthorized.Code,
        403 => Forbidden.Code,
        404 => NotFound.Code,
        405 => MethodNotAllowed.Code,
        413 => PayloadTooLarge.Code,
        415 => UnsupportedMediaType.Code,
        >= 500 => InternalError.Code,
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static ErrorCode Add(string code, ErrorArea area, int? status, bool? retryable, string when)
    {
        var entry = new ErrorCode(code, area, status, retryable, when);
        Entries.Add(entry);
        return entry;
    }
}
