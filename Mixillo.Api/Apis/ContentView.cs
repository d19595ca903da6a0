using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
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

    /// <summary>How long a presigned playback URL works.</summary>
    public static readonly TimeSpan UrlLifetime = TimeSpan.FromHours(1);

    /// <summary>Content is ready when its job completed, failed when it failed or was cancelled, processing otherwise.</summary>
    public static string StatusOf(JobStatus status) => status switch
    {
        JobStatus.Completed => "ready",
        JobStatus.Failed or JobStatus.Cancelled => "failed",
        _ => "processing",
    };

    public static async Task<ContentView> OfAsync(TranscodeJob job, QueuePosition? position, IObjectStorage storage)
    {
        var status = StatusOf(job.Status);
        var last = job.Errors.LastOrDefault();
        return new ContentView(
            job.ContentId,
            status,
            job.JobId,
            job.Status,
            job.Progress,
            job.Status == JobStatus.Completed ? await Playback.OfAsync(job, key => UrlAsync(storage, key)) : null,
            position is { Position: { } at } ? new QueueView(at, position.EstimatedStart) : null,
            status == "failed" ? new ContentError(last?.Code ?? "cancelled", last?.Error ?? "The job was cancelled.") : null);
    }

    /// <summary>
    /// A presigned storage URL for a whole file where storage offers one (S3); the API's media route otherwise.
    /// Manifests always go through the API: their segments are named by relative paths, which a presigned
    /// URL's signature would not cover.
    /// </summary>
    public static async Task<string> UrlAsync(IObjectStorage storage, string key) =>
        (key.EndsWith(".m3u8", StringComparison.Ordinal) || key.EndsWith(".mpd", StringComparison.Ordinal) ? null : await storage.PresignReadAsync(key, UrlLifetime))
        ?? MediaRoute + key;
}

public sealed record Playback(string? Hls, string? Dash, IReadOnlyList<RenditionView> Renditions, IReadOnlyList<string> Thumbnails, string? Preview, string? Audio)
{
    public static async Task<Playback> OfAsync(TranscodeJob job, Func<string, Task<string>> url)
    {
        async Task<string?> Optional(string? key) => key is null ? null : await url(key);
        var renditions = new List<RenditionView>();
        foreach (var output in job.Outputs.Where(o => o.ManifestKey is null))
        {
            renditions.Add(new RenditionView(output.Quality, await url(output.Key), output.Width, output.Height, output.BitrateBps));
        }

        var thumbnails = new List<string>();
        foreach (var thumbnail in job.Thumbnails)
        {
            thumbnails.Add(await url(thumbnail.Key));
        }

        return new Playback(
            await Optional(job.Outputs.FirstOrDefault(o => o.Quality == "hls")?.ManifestKey),
            await Optional(job.Outputs.FirstOrDefault(o => o.Quality == "dash")?.ManifestKey),
            renditions,
            thumbnails,
            await Optional(job.AnimatedPreview?.Key),
            await Optional(job.AudioTrack?.Key));
    }
}

public sealed record RenditionView(string Quality, string Url, int Width, int Height, long BitrateBps);

public sealed record QueueView(long Position, DateTimeOffset? EstimatedStart);

public sealed record ContentError(string Code, string Message);
