using Mixillo.Media.Planning;

namespace Mixillo.Media.Encoding;

/// <summary>Everything one decode of the source produces.</summary>
/// <param name="VideoStream">Index of the source's video stream.</param>
/// <param name="AudioStream">Index of the source's audio stream; null when it has none.</param>
/// <param name="Hls">Whether the renditions are also cut into HLS segments as they are encoded.</param>
public sealed record EncodePlan(
    int VideoStream,
    int? AudioStream,
    IReadOnlyList<Rendition> Renditions,
    IReadOnlyList<ThumbnailFrame> Thumbnails,
    int ThumbnailWidth,
    PreviewPlan? Preview,
    bool AudioTrack,
    bool Hls,
    string Preset)
{
    public bool SourceHasAudio => AudioStream is not null;
}

/// <summary>A thumbnail: the source frame (counted from 0) and when it shows.</summary>
public sealed record ThumbnailFrame(int Frame, double OffsetSeconds);

/// <summary>The animated preview: the first seconds of the source, small and silent.</summary>
public sealed record PreviewPlan(double StartSeconds, double DurationSeconds, int Width, int FramesPerSecond)
{
    /// <summary>
    /// The preview is cut by frame count as well as by trim: how trim's end reaches the fps filter depends on
    /// the other branches of the graph, and fps may otherwise pad the clip by a second.
    /// </summary>
    public int FrameCount => Math.Max(1, (int)Math.Round(DurationSeconds * FramesPerSecond));
}
