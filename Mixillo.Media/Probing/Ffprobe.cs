using Mixillo.Media.Encoding;
using Mixillo.Media.Running;

namespace Mixillo.Media.Probing;

/// <summary>Runs ffprobe and returns its JSON. Inputs are opened with the file protocol only.</summary>
public sealed class Ffprobe(MediaOptions options)
{
    /// <param name="allowedFormats">Demuxers ffprobe may use; null for files this pipeline wrote itself.</param>
    public Task<ProbeOutput> RunAsync(string path, IEnumerable<string>? allowedFormats, CancellationToken cancellationToken) =>
        RunAsync(FfmpegArguments.Probe(path, allowedFormats), cancellationToken);

    public async Task<ProbeOutput> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Processes.Start(options.FfprobePath, arguments);
        using var registration = cancellationToken.Register(() => Processes.Kill(process));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return new ProbeOutput(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs ffprobe, handing each line of its output to <paramref name="onLine"/> as it comes, and stops it as soon as
    /// <paramref name="onLine"/> returns false: however much the file holds, nothing piles up. Returns its stderr.
    /// </summary>
    public async Task<string> ReadLinesAsync(IReadOnlyList<string> arguments, Func<string, bool> onLine, CancellationToken cancellationToken)
    {
        using var process = Processes.Start(options.FfprobePath, arguments);
        using var registration = cancellationToken.Register(() => Processes.Kill(process));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (!onLine(line))
            {
                Processes.Kill(process);
                break;
            }
        }

        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return await stderr;
    }
}

public sealed record ProbeOutput(int ExitCode, string Json, string Errors)
{
    public bool Succeeded => ExitCode == 0 && Json.Contains("\"format\"", StringComparison.Ordinal);
}
