using Mixillo.Media.Planning;
using Mixillo.Media.Probing;

namespace Mixillo.Media.Encoding;

/// <summary>Decides the outputs of one decode. Pure.</summary>
public static class EncodePlanner
{
    public const int ThumbnailMaxWidth = 720;
    public const int PreviewMaxWidth = 360;
    public const int PreviewFps = 15;
    public const double PreviewSeconds = 3;

    // When the container states no frame rate; only thumbnail spacing depends on it.
    private const double AssumedFps = 30;

    // Offsets such as 1.2 s x 30 fps must land on frame 36, not 35.99999.
    private const double Epsilon = 1e-6;

    public static EncodePlan Plan(SourceMetadata source, TranscodeOptions options)
    {
        var video = source.Video;
        var renditions = LadderPlanner.Plan(video.Width, video.Height, video.FramesPerSecond, options.Ladder);
        var duration = source.DurationSeconds;

        var thumbnails = Thumbnails(Math.Min(video.DurationSeconds ?? duration, duration), video.FramesPerSecond, options.ThumbnailCount);

        var preview = options.Preview
            ? new PreviewPlan(0, Math.Min(PreviewSeconds, duration), EvenAtMost(video.Width, PreviewMaxWidth), PreviewFps)
            : null;

        return new EncodePlan(
            video.Index,
            source.Audio?.Index,
            renditions,
            thumbnails,
            EvenAtMost(video.Width, ThumbnailMaxWidth),
            preview,
            AudioTrack: options.Audio && source.Audio is not null,
            options.Hls,
            options.Preset);
    }

    /// <summary>
    /// Thumbnail i shows the frame in the middle of the i-th of N equal slices of the *video*: evenly spaced,
    /// not the first (often black) frame, never past the last picture when the audio runs longer. Frames are
    /// chosen by number, so a clip with fewer frames than thumbnails gets one thumbnail per frame, not an error.
    /// </summary>
    internal static IReadOnlyList<ThumbnailFrame> Thumbnails(double videoSeconds, double fps, int count)
    {
        var rate = fps > 0 ? fps : AssumedFps;
        var frames = Math.Max(1, (int)Math.Floor((videoSeconds * rate) + Epsilon));
        return
        [
            .. Enumerable.Range(0, count)
                .Select(i => Math.Min(frames - 1, (int)Math.Floor(((i + 0.5) * videoSeconds / count * rate) + Epsilon)))
                .Distinct()
                .Select(frame => new ThumbnailFrame(frame, Math.Round(frame / rate, 3))),
        ];
    }

    private static int EvenAtMost(int width, int max) => Math.Max(2, Math.Min(width, max) / 2 * 2);
}
