using System.ComponentModel;
using System.Diagnostics;
using Mixillo.Errors;

namespace Mixillo.Media.Running;

internal static class Processes
{
    /// <summary>Starts a tool with arguments passed as a list (no shell), output redirected.</summary>
    public static Process Start(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new MediaException(ErrorCatalog.FfmpegMissing, $"Could not start '{fileName}'.");
        }
        catch (Win32Exception ex)
        {
            throw new MediaException(ErrorCatalog.FfmpegMissing, $"'{fileName}' is not installed or not on PATH (apt-get install ffmpeg).", ex);
        }
    }

    /// <summary>Kills the process and its children; a process that has already exited is fine.</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
