using Mixillo.Media.Probing;

namespace Mixillo.Media.Results;

/// <summary>Everything one transcode produced, with paths relative to the output folder.</summary>
public sealed record TranscodeResult
{
    public required SourceMetadata Source { get; init; }

    public required IReadOnlyList<MediaFile> Renditions { get; init; }

    public StreamOutput? Hls { get; init; }

    public StreamOutput? Dash { get; init; }

    public required IReadOnlyList<Thumbnail> Thumbnails { get; init; }

    public MediaFile? Preview { get; init; }

    public MediaFile? Audio { get; init; }

    public required Timings Timings { get; init; }
}

/// <summary>One written media file as ffprobe measures it.</summary>
public sealed record MediaFile
{
    /// <summary>The rung name for renditions (<c>720p</c>, or <c>source</c> for a source below the ladder at its own size); the file name otherwise.</summary>
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required long SizeBytes { get; init; }

    public required long BitrateBps { get; init; }

    public required double DurationSeconds { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    public double? FramesPerSecond { get; init; }

    public string? VideoCodec { get; init; }

    public string? PixelFormat { get; init; }

    public string? AudioCodec { get; init; }

    public int? SampleRate { get; init; }

    public int? Channels { get; init; }
}

public sealed record StreamOutput(string Manifest, double TargetSegmentSeconds, IReadOnlyList<StreamVariantOutput> Variants);

/// <param name="Playlist">The HLS variant playlist; null when only DASH was asked.</param>
public sealed record StreamVariantOutput(string Name, string SegmentFolder, string? Playlist, int SegmentCount, double MaxSegmentSeconds, long PeakBitrateBps);

public sealed record Thumbnail(string Path, double OffsetSeconds, int Width, int Height, long SizeBytes);

public sealed record Timings(double ProbeSeconds, double EncodeSeconds, double PackageSeconds, double TotalSeconds, double FfmpegCpuSeconds);

/// <summary>What the encode step wrote, measured (its HLS, when asked for, cut as it encoded); and what it cost.</summary>
public sealed record EncodeOutput(
    IReadOnlyList<MediaFile> Renditions,
    StreamOutput? Hls,
    IReadOnlyList<Thumbnail> Thumbnails,
    MediaFile? Preview,
    MediaFile? Audio,
    TimeSpan Elapsed,
    TimeSpan ProcessorTime);

/// <summary>What the package step wrote: DASH, null when it was not asked for.</summary>
public sealed record PackageOutput(StreamOutput? Dash, TimeSpan ProcessorTime);
