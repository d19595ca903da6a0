namespace Mixillo.Media.Probing;

/// <summary>What ffprobe says about a source. Width and height are as displayed (rotation applied).</summary>
public sealed record SourceMetadata
{
    public required double DurationSeconds { get; init; }

    /// <summary>Where the container's timeline begins: 0 for most files, often not for MPEG-TS and MPEG-PS.</summary>
    public double StartSeconds { get; init; }

    public required long SizeBytes { get; init; }

    public required long BitrateBps { get; init; }

    /// <summary>ffprobe's format name, e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c>.</summary>
    public required string FormatName { get; init; }

    /// <summary>The demuxer that decoding forces with <c>-f</c>, e.g. <c>mov</c>.</summary>
    public required string Demuxer { get; init; }

    public required VideoStreamInfo Video { get; init; }

    /// <summary>Null when the source has no audio.</summary>
    public AudioStreamInfo? Audio { get; init; }
}

public sealed record VideoStreamInfo
{
    /// <summary>The stream's index in the file: what decoding maps, so cover art or a second track is never picked instead.</summary>
    public required int Index { get; init; }

    public required string Codec { get; init; }

    /// <summary>The video stream's own length, when the container states it (audio often runs longer).</summary>
    public double? DurationSeconds { get; init; }

    public required int CodedWidth { get; init; }

    public required int CodedHeight { get; init; }

    /// <summary>Degrees the player turns the picture (0, 90, 180, 270).</summary>
    public required int Rotation { get; init; }

    public required double FramesPerSecond { get; init; }

    public required string PixelFormat { get; init; }

    public int Width => Rotation is 90 or 270 ? CodedHeight : CodedWidth;

    public int Height => Rotation is 90 or 270 ? CodedWidth : CodedHeight;
}

public sealed record AudioStreamInfo
{
    public required int Index { get; init; }

    public required string Codec { get; init; }

    public required int SampleRate { get; init; }

    public required int Channels { get; init; }
}
