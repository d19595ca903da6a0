using System.Diagnostics;
using System.Text.Json;

namespace Mixillo.Tests.Support;

/// <summary>Runs ffmpeg and ffprobe from tests, to make media and to inspect what the engine wrote.</summary>
public static class Tool
{
    public static void Ffmpeg(params string[] args) =>
        Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. args]);

    /// <summary>ffprobe's JSON of streams and format (and packets, when asked) of a file.</summary>
    public static JsonElement Probe(string path, params string[] extra)
    {
        var output = Run("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", .. extra, path]);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    public static JsonElement Video(this JsonElement probe) => Stream(probe, "video") ?? throw new Xunit.Sdk.XunitException("no video stream");

    public static JsonElement? Stream(this JsonElement probe, string type) =>
        probe.GetProperty("streams").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(s => s!.Value.GetProperty("codec_type").GetString() == type);

    public static double Seconds(this JsonElement probe) => double.Parse(probe.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public static string Text(this JsonElement element, string name) => element.GetProperty(name).ValueKind == JsonValueKind.String
        ? element.GetProperty(name).GetString()!
        : element.GetProperty(name).GetRawText();

    public static int Int(this JsonElement element, string name) => int.Parse(element.Text(name), System.Globalization.CultureInfo.InvariantCulture);

    public static string Run(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>Live child processes of a process (any thread of it may have started them).</summary>
    public static IReadOnlyList<int> Children(int pid) =>
    [
        .. Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Stat: TryRead($"/proc/{name}/stat")))
            // stat is "pid (comm) state ppid ...": read after the last ')' since comm may hold spaces.
            .Where(p => p.Stat is { } stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => p.Pid),
    ];

    /// <summary>A file's text, or null when it cannot be read (a /proc entry of a process that just ended).</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
