using Mixillo.Media;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>
/// The ffprobe that <c>Media:FfprobePath</c> names is the one that probes a source, whatever its file is called: an
/// operator who pins a build gets that build, never another found on PATH. (FFMpegCore's analysis fails this: it looks
/// for a file named <c>ffprobe</c> in a folder and otherwise runs the one on PATH without a word; README, "Why the probe
/// is the project's own".)
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ConfiguredToolsTests(Clips clips) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Every_probe_of_a_source_runs_the_configured_ffprobe()
    {
        // Named as a pinned build would be: not "ffprobe".
        var pinned = LoggingFfprobe.Create(_folder, "ffprobe-pinned");
        var engine = new MediaEngine(new MediaOptions { FfprobePath = pinned }, TimeProvider.System);

        var source = await engine.ProbeAsync(clips["portrait"], CancellationToken.None);

        Assert.Equal(4, source.DurationSeconds, precision: 0);
        var runs = LoggingFfprobe.Runs(pinned);
        // The probe itself (format and streams) and the read of the last second: both through the pinned build.
        Assert.Contains(runs, run => run.Contains("-show_format", StringComparison.Ordinal) && run.Contains("-show_streams", StringComparison.Ordinal));
        Assert.Contains(runs, run => run.Contains("-read_intervals", StringComparison.Ordinal));
    }
}
