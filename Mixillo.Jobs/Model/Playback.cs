namespace Mixillo.Jobs.Model;

/// <summary>Where a completed job's media plays from: streams, renditions, thumbnails, preview and audio.</summary>
public sealed record Playback(string? Hls, string? Dash, IReadOnlyList<RenditionView> Renditions, IReadOnlyList<string> Thumbnails, string? Preview, string? Audio)
{
    /// <summary>The API's route for published files; a key appended to it is the file's URL on the API's origin.</summary>
    public const string MediaRoute = "/media/";

    /// <summary>The job's media, each key made a URL by <paramref name="url"/>.</summary>
    public static Playback Of(TranscodeJob job, Func<string, string> url)
    {
        string? Optional(string? key) => key is null ? null : url(key);
        return new Playback(
            Optional(job.Outputs.FirstOrDefault(o => o.Quality == "hls")?.ManifestKey),
            Optional(job.Outputs.FirstOrDefault(o => o.Quality == "dash")?.ManifestKey),
            [.. job.Outputs.Where(o => o.ManifestKey is null).Select(o => new RenditionView(o.Quality, url(o.Key), o.Width, o.Height, o.BitrateBps))],
            [.. job.Thumbnails.Select(t => url(t.Key))],
            Optional(job.AnimatedPreview?.Key),
            Optional(job.AudioTrack?.Key));
    }

    /// <summary>What plays of a job still processing: the HLS its encode is cutting, once every rendition has begun; null before.</summary>
    public static Playback? Live(TranscodeJob job) =>
        job.Live is { } live ? new Playback(live.Hls(job.ContentId), null, [], [], null, null) : null;

    /// <summary>The job's media through the media route: URLs that never expire (events keep them).</summary>
    public static Playback Of(TranscodeJob job) => Of(job, key => MediaRoute + key);

    /// <summary>The job's media, each key made a URL by <paramref name="url"/>, which may have to ask storage (a presigned URL).</summary>
    public static async Task<Playback> OfAsync(TranscodeJob job, Func<string, Task<string>> url)
    {
        var keys = new List<string>();
        Of(job, key =>
        {
            keys.Add(key);
            return key;
        });
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct())
        {
            urls[key] = await url(key);
        }

        return Of(job, key => urls[key]);
    }
}

public sealed record RenditionView(string Quality, string Url, int Width, int Height, long BitrateBps);
