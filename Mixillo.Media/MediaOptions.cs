namespace Mixillo.Media;

/// <summary>Where ffmpeg lives, what a source may be, and how long a silent ffmpeg is tolerated.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    public string FfmpegPath { get; set; } = "ffmpeg";

    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>
    /// Demuxers a source may be read with, comma-separated (one string, so configuration replaces the list
    /// rather than appending to it). Anything else (playlists, concat lists, images) is refused.
    /// </summary>
    public string AllowedFormats { get; set; } = "mov,matroska,avi,mpegts,flv,mpeg";

    public IReadOnlyList<string> AllowedFormatList => AllowedFormats.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public long MaxFileSizeBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public double MinDurationSeconds { get; set; } = 0.5;

    public double MaxDurationSeconds { get; set; } = 600;

    public int MinShortSide { get; set; } = 16;

    public int MaxLongSide { get; set; } = 7680;

    /// <summary>An ffmpeg whose progress does not move for this long is killed (<c>encoder_stalled</c>).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (AllowedFormatList.Count == 0)
        {
            throw new ArgumentException($"{Section}:AllowedFormats is empty.");
        }

        if (MaxFileSizeBytes <= 0)
        {
            throw new ArgumentException($"{Section}:MaxFileSizeBytes must be positive.");
        }

        if (MinDurationSeconds < 0)
        {
            throw new ArgumentException($"{Section}:MinDurationSeconds cannot be negative.");
        }

        if (MaxDurationSeconds <= MinDurationSeconds)
        {
            throw new ArgumentException($"{Section}:MaxDurationSeconds must be above {Section}:MinDurationSeconds ({MinDurationSeconds}).");
        }

        if (MinShortSide < 2)
        {
            throw new ArgumentException($"{Section}:MinShortSide must be at least 2.");
        }

        if (MaxLongSide < MinShortSide)
        {
            throw new ArgumentException($"{Section}:MaxLongSide must be at least {Section}:MinShortSide ({MinShortSide}).");
        }

        if (StallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:StallTimeout must be positive.");
        }
    }
}
