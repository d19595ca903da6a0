using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Media;

namespace Mixillo.Worker.Health;

/// <summary>ffmpeg and ffprobe (<c>Media:FfmpegPath</c>, <c>Media:FfprobePath</c>) are executable files, found as given or on PATH.</summary>
internal sealed class FfmpegHealthCheck(MediaOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var missing = new[] { options.FfmpegPath, options.FfprobePath }.Where(program => Find(program) is null).ToList();
        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"not found or not executable: {string.Join(", ", missing)}"));
    }

    internal static string? Find(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return IsExecutable(program) ? program : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
