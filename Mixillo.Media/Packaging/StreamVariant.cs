namespace Mixillo.Media.Packaging;

/// <summary>One packaged stream (a video rendition or the shared audio), as both manifests describe it.</summary>
public sealed record StreamVariant
{
    public required string Name { get; init; }

    /// <summary>Folder of the playlist, init segment and media segments, relative to the output root.</summary>
    public required string Folder { get; init; }

    public required MediaPlaylist Playlist { get; init; }

    public required string Codecs { get; init; }

    /// <summary>Highest bits per second over any one segment.</summary>
    public required long PeakBitrate { get; init; }

    /// <summary>Bits per second over the whole stream; null while it is still being made.</summary>
    public long? AverageBitrate { get; init; }

    /// <summary>Zero for audio.</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    public double FramesPerSecond { get; init; }

    public bool IsAudio => Width == 0;
}
