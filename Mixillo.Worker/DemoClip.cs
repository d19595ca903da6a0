using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Media.Encoding;
using Mixillo.Media.Running;

namespace Mixillo.Worker;

/// <summary>Generates a short portrait clip with motion and a tone, so the command line can be tried with no video at hand.</summary>
internal static class DemoClip
{
    public const int Seconds = 6;
    public const string Size = "720x1280";

    public static async Task<string> CreateAsync(MediaOptions options, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mixillo-demo-{Guid.NewGuid():N}.mp4");
        var runner = new FfmpegRunner(options, TimeProvider.System);
        await runner.RunAsync(new FfmpegStep("demo clip", 1, Seconds, ErrorCatalog.EncodeFailed), FfmpegArguments.Synthetic(path, Size, 30, Seconds, withAudio: true), null, cancellationToken);
        return path;
    }
}
