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

    public static EncodePlan Plan(SourceMetadata source, TranscodeOptions options)
    {
        var video = source.Video;
        var renditions = LadderPlanner.Plan(video.Width, video.Height, video.FramesPerSecond, options.Ladder);
        var duration = source.DurationSeconds;

        // Thumbnail i sits in the middle of the i-th of N equal slices of the *video*: evenly spaced, never the
        // first (often black) frame, and never past the last picture when the audio runs longer.
        var pictures = Math.Min(video.DurationSeconds ?? duration, duration);
        var offsets = Enumerable.Range(0, options.ThumbnailCount)
            .Select(i => Math.Round((i + 0.5) * pictures / options.ThumbnailCount, 3))
            .ToList();

        var preview = options.Preview
            ? new PreviewPlan(0, Math.Min(PreviewSeconds, duration), EvenAtMost(video.Width, PreviewMaxWidth), PreviewFps)
            : null;

        return new EncodePlan(
            video.Index,
            source.Audio?.Index,
            renditions,
            offsets,
            EvenAtMost(video.Width, ThumbnailMaxWidth),
            preview,
            AudioTrack: options.Audio && source.Audio is not null,
            options.Preset);
    }

    private static int EvenAtMost(int width, int max) => Math.Max(2, Math.Min(width, max) / 2 * 2);
}
