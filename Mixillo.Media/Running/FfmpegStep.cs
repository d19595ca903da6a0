namespace Mixillo.Media.Running;

/// <summary>What one ffmpeg run is for: its name in traces and metrics, how many rungs it writes, how much media it reads, and its failure code.</summary>
public sealed record FfmpegStep(string Name, int Rungs, double MediaSeconds, string FailureCode)
{
    public const string Encode = "encode";

    /// <summary>The step decodes the user's source: its decode failures are the source's fault (see <see cref="FfmpegFailure"/>).</summary>
    public bool ReadsSource { get; init; }

    public static FfmpegStep Package(bool hls, bool dash, int rungs, double mediaSeconds) =>
        new(hls && dash ? "package hls+dash" : hls ? "package hls" : "package dash", rungs, mediaSeconds, MediaErrorCodes.PackageFailed);
}
