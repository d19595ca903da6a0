using Mixillo.Errors;
using Mixillo.Media.Probing;

namespace Mixillo.Media.Running;

/// <summary>What one ffmpeg run is for: its name in traces and metrics, how many rungs it writes, how much media it reads, and its failure code.</summary>
public sealed record FfmpegStep(string Name, int Rungs, double MediaSeconds, ErrorCode Failure)
{
    public const string Encode = "encode";

    /// <summary>
    /// Set when the step decodes the user's source: what the source may hold (see <see cref="SourceOverrun"/>).
    /// Its decode failures are the source's fault too (see <see cref="FfmpegFailure"/>).
    /// </summary>
    public SourceBounds? Source { get; init; }

    public bool ReadsSource => Source is not null;

    /// <summary>Cutting DASH segments by stream copy: the one packaging step that runs ffmpeg (HLS is cut by the encode).</summary>
    public static FfmpegStep PackageDash(int rungs, double mediaSeconds) => new("package dash", rungs, mediaSeconds, ErrorCatalog.PackageFailed);
}
