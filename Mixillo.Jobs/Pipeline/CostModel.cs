using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Pipeline;

/// <summary>Turns measured usage into a cost, and estimates one before the work is done. Pure.</summary>
public static class CostModel
{
    private const double BytesPerGb = 1024d * 1024 * 1024;

    // CPU seconds per second of source at preset medium, per rung, as measured by the media benchmark on a
    // 1080x1920 source (docs/benchmarks.md): a rough guide for estimates, not a bill.
    private static readonly Dictionary<string, double> CpuPerSecond = new(StringComparer.Ordinal)
    {
        ["1080p"] = 2.4,
        ["720p"] = 1.3,
        ["480p"] = 0.6,
        ["360p"] = 0.4,
        ["240p"] = 0.2,
    };

    public static JobCost Actual(double cpuSeconds, long bytesWritten, long bytesRead, CostOptions prices) =>
        new(
            Math.Round((decimal)cpuSeconds * prices.PerCpuSecond, 6),
            Math.Round((decimal)(bytesWritten / BytesPerGb) * prices.PerStorageGb, 6),
            Math.Round((decimal)(bytesRead / BytesPerGb) * prices.PerBandwidthGb, 6));

    /// <summary>
    /// From the source's duration and the ladder: CPU from the rungs, storage from their bitrates (plus HLS/DASH
    /// segments, which store the renditions once more), bandwidth from reading the source.
    /// </summary>
    public static JobCost Estimate(double durationSeconds, long sourceBytes, JobOptions options, CostOptions prices)
    {
        var rungs = options.ToTranscodeOptions().Ladder;
        var cpu = rungs.Sum(r => CpuPerSecond.GetValueOrDefault(r.Name, 1)) * durationSeconds;
        var kbps = rungs.Sum(r => r.VideoKbps + r.AudioKbps);
        var packagedCopies = options.Hls || options.Dash ? 2 : 1;
        var written = (long)(kbps * 1000d / 8 * durationSeconds * packagedCopies);
        // The source is read at fetch and again at process.
        return Actual(cpu, written, sourceBytes * 2, prices);
    }
}
