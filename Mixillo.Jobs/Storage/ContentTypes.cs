namespace Mixillo.Jobs.Storage;

/// <summary>The media types players expect for what this service writes, by file extension.</summary>
public static class ContentTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = "video/mp4",
        [".m4s"] = "video/iso.segment",
        [".ts"] = "video/mp2t",
        [".m3u8"] = "application/vnd.apple.mpegurl",
        [".mpd"] = "application/dash+xml",
        [".jpg"] = "image/jpeg",
        [".mp3"] = "audio/mpeg",
    };

    public static string For(string key) =>
        ByExtension.TryGetValue(Path.GetExtension(key), out var type) ? type : "application/octet-stream";

    /// <summary>An HLS playlist or a DASH manifest: what a player reads first to find everything else.</summary>
    public static bool IsManifest(string key) => key.EndsWith(".m3u8", StringComparison.Ordinal) || key.EndsWith(".mpd", StringComparison.Ordinal);
}
