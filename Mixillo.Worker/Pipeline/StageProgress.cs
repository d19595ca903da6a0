using Mixillo.Media;

namespace Mixillo.Worker.Pipeline;

/// <summary>DESIGN.md's overall progress: metadata 5 %, transcode 10-70 %, HLS 75 %, DASH 80 %, then 95 % and 100 % at publish.</summary>
internal static class StageProgress
{
    public const double Fetched = 5;
    public const double EncodeFrom = 10;
    public const double EncodeTo = 70;
    public const double HlsDone = 75;
    public const double DashDone = 80;
    public const double Processed = 95;

    /// <summary>
    /// The job's overall progress while the engine encodes: the encode's percent spread over 10-70 %. Measuring the
    /// renditions follows the encode and counts its own percent from 0 again, so it stays at the encode's end.
    /// </summary>
    public static double EncodeOverall(MediaProgress progress) =>
        EncodeFrom + ((EncodeTo - EncodeFrom) * (progress.Step == MediaProgress.Measure ? 100 : progress.Percent) / 100);
}
