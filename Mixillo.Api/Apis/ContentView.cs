using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>
/// What a client sees of its content: processing, ready (with playback URLs) or failed. Content that is still
/// processing is <c>playable</c> once its encode has published the first segment of every rendition: its playback
/// then holds the live HLS (<see cref="LiveStream"/>), which becomes the finished stream at the same URLs.
/// </summary>
public sealed record ContentView(
    string ContentId,
    string Status,
    bool Playable,
    string JobId,
    JobStatus JobStatus,
    JobProgress Progress,
    Playback? Playback,
    QueueView? Queue,
    ContentError? Error)
{
    /// <summary>How long a presigned playback URL works.</summary>
    public static readonly TimeSpan UrlLifetime = TimeSpan.FromHours(1);

    public const string Ready = "ready";

    public const string Failed = "failed";

    public const string Processing = "processing";

    /// <summary>Content is ready when its job completed, failed when it failed or was cancelled, processing otherwise.</summary>
    public static string StatusOf(JobStatus status) => status switch
    {
        JobStatus.Completed => Ready,
        JobStatus.Failed or JobStatus.Cancelled => Failed,
        _ => Processing,
    };

    public static async Task<ContentView> OfAsync(TranscodeJob job, QueuePosition? position, IObjectStorage storage)
    {
        var status = StatusOf(job.Status);
        var last = job.Errors.LastOrDefault();
        var playback = status switch
        {
            Ready => await Playback.OfAsync(job, key => UrlAsync(storage, key)),
            Processing => Playback.Live(job),
            _ => null,
        };
        return new ContentView(
            job.ContentId,
            status,
            playback is not null,
            job.JobId,
            job.Status,
            job.Progress,
            playback,
            position is { Position: { } at } ? new QueueView(at, position.EstimatedStart) : null,
            status == Failed ? new ContentError(last?.Code ?? ErrorCatalog.Cancelled.Code, last?.Error ?? "The job was cancelled.") : null);
    }

    /// <summary>
    /// A presigned storage URL for a whole file where storage offers one (S3); the API's media route otherwise.
    /// Manifests always go through the API: their segments are named by relative paths, which a presigned
    /// URL's signature would not cover.
    /// </summary>
    public static async Task<string> UrlAsync(IObjectStorage storage, string key) =>
        (key.EndsWith(".m3u8", StringComparison.Ordinal) || key.EndsWith(".mpd", StringComparison.Ordinal) ? null : await storage.PresignReadAsync(key, UrlLifetime))
        ?? Playback.MediaRoute + key;
}

public sealed record QueueView(long Position, DateTimeOffset? EstimatedStart);

public sealed record ContentError(string Code, string Message);
