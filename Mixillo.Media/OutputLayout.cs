namespace Mixillo.Media;

/// <summary>The contract's file names, relative to <c>videos/{contentId}/</c> (or the command line's --out folder).</summary>
public static class OutputLayout
{
    public const string ThumbnailFolder = "thumbnails";
    public const string Preview = "preview.mp4";
    public const string AudioTrack = "audio.mp3";
    public const string HlsFolder = "hls";
    public const string HlsMaster = "hls/master.m3u8";
    public const string HlsAudioVariant = "audio";
    public const string VariantPlaylist = "playlist.m3u8";
    public const string InitSegment = "init.mp4";
    public const string DashFolder = "dash";
    public const string DashManifest = "dash/manifest.mpd";

    /// <summary>Segments are numbered from 0: seg_000.m4s, seg_001.m4s, ...</summary>
    public const string SegmentPattern = "seg_%03d.m4s";

    /// <summary>Every top-level name the contract can write, whatever the options.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Planning.Rung.All.Select(r => Rendition(r.Name)), Rendition(Planning.Rung.SourceName), ThumbnailFolder, Preview, AudioTrack, HlsFolder, DashFolder];

    public static string Rendition(string rung) => $"{rung}.mp4";

    public static string Thumbnail(int number) => $"{ThumbnailFolder}/thumb_{number}.jpg";

    public static string Variant(string name) => $"{HlsFolder}/{name}/{VariantPlaylist}";
}
