namespace Mixillo.Media;

/// <summary>Where ffmpeg lives, what a source may be, and how long a silent ffmpeg is tolerated.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    public string FfmpegPath { get; set; } = "ffmpeg";

    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>Demuxers a source may be read with. Anything else (playlists, concat lists, images) is refused.</summary>
    public IList<string> AllowedFormats { get; set; } = ["mov", "matroska", "avi", "mpegts", "flv", "mpeg"];

    public long MaxFileSizeBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public double MinDurationSeconds { get; set; } = 0.5;

    public double MaxDurationSeconds { get; set; } = 600;

    public int MinShortSide { get; set; } = 16;

    public int MaxLongSide { get; set; } = 7680;

    /// <summary>An ffmpeg whose progress does not move for this long is killed (<c>encoder_stalled</c>).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
