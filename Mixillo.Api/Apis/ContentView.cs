using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>What a client sees of its content: processing, ready (with playback URLs) or failed.</summary>
public sealed record ContentView(
    string ContentId,
    string Status,
    string JobId,
    JobStatus JobStatus,
    JobProgress Progress,
    Playback? Playback,
    QueueView? Queue,
    ContentError? Error)
{
    public const string MediaRoute = "/media/";

    public static ContentView Of(TranscodeJob job, QueuePosition? position)
    {
        var status = job.Status switch
        {
            JobStatus.Completed => "ready",
            JobStatus.Failed or JobStatus.Cancelled => "failed",
            _ => "processing",
        };
        var last = job.Errors.LastOrDefault();
        return new ContentView(
            job.ContentId,
            status,
            job.JobId,
            job.Status,
            job.Progress,
            job.Status == JobStatus.Completed ? Playback.Of(job) : null,
            position is { Position: { } at } ? new QueueView(at, position.EstimatedStart) : null,
            status == "failed" ? new ContentError(last?.Code ?? "cancelled", last?.Error ?? "The job was cancelled.") : null);
    }

    public static string Url(string key) => MediaRoute + key;
}

public sealed record Playback(string? Hls, string? Dash, IReadOnlyList<RenditionView> Renditions, IReadOnlyList<string> Thumbnails, string? Preview, string? Audio)
{
    public static Playback Of(TranscodeJob job) => new(
        job.Outputs.FirstOrDefault(o => o.Quality == "hls")?.ManifestKey is { } hls ? ContentView.Url(hls) : null,
        job.Outputs.FirstOrDefault(o => o.Quality == "dash")?.ManifestKey is { } dash ? ContentView.Url(dash) : null,
        [.. job.Outputs.Where(o => o.ManifestKey is null).Select(o => new RenditionView(o.Quality, ContentView.Url(o.Key), o.Width, o.Height, o.BitrateBps))],
        [.. job.Thumbnails.Select(t => ContentView.Url(t.Key))],
        job.AnimatedPreview is { } preview ? ContentView.Url(preview.Key) : null,
        job.AudioTrack is { } audio ? ContentView.Url(audio.Key) : null);
}

public sealed record RenditionView(string Quality, string Url, int Width, int Height, long BitrateBps);

public sealed record QueueView(long Position, DateTimeOffset? EstimatedStart);

public sealed record ContentError(string Code, string Message);
