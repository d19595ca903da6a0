using System.Collections.Concurrent;
using System.Diagnostics;
using Mixillo.TestServers;

namespace Mixillo.Benchmarks;

/// <summary>
/// A .NET host the benchmarks run as a real process (the API, a worker, the AppHost under <c>dotnet run</c>): its
/// output kept for diagnostics, stopped by a signal as an operator would (SIGTERM; Ctrl+C's SIGINT for the AppHost),
/// killed only if it does not end in time.
/// </summary>
internal class HostProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>
    /// Starts <c>FILE ARGS</c> (<c>dotnet DLL ...</c> for a built host) with <paramref name="environment"/>, in
    /// <paramref name="workingDirectory"/>: relative paths of its settings land there, not in the repository. (A host
    /// reads its appsettings.json beside its program, the one the build copied next to the benchmark.)
    /// </summary>
    protected HostProcess(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        Pid = Process.Id;
        Process.OutputDataReceived += (_, e) => Receive(e.Data);
        Process.ErrorDataReceived += (_, e) => Receive(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public int Pid { get; }

    public bool HasExited => Process.HasExited;

    protected Process Process { get; }

    /// <summary>SIGTERM by PID, then killed if it does not end in time. Returns the exit code (-1 when killed) and how long it took.</summary>
    public Task<(int ExitCode, double Seconds)> StopAsync(TimeSpan timeout) => StopAsync(Pid, "TERM", timeout);

    /// <summary>
    /// Sends <paramref name="signal"/> to <paramref name="target"/> (this process, or the program it runs), then waits
    /// for this process to end; kills its tree if it does not end in time.
    /// </summary>
    protected async Task<(int ExitCode, double Seconds)> StopAsync(int target, string signal, TimeSpan timeout)
    {
        if (Process.HasExited)
        {
            return (Process.ExitCode, 0);
        }

        var clock = Stopwatch.StartNew();
        ChildProcess.Signal(target, signal);
        try
        {
            await Process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
            return (-1, clock.Elapsed.TotalSeconds);
        }

        return (Process.ExitCode, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Warning, error and critical entries of the console logger ("warn: Category[0]" and the message line under it).</summary>
    public IEnumerable<string> LogProblems()
    {
        var lines = _lines.ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("warn:", StringComparison.Ordinal) || lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
            {
                yield return lines[i] + (i + 1 < lines.Length ? " " + lines[i + 1].Trim() : "");
            }
        }
    }

    public string Tail() => string.Join('\n', _lines.TakeLast(40));

    public void Dispose()
    {
        Process.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Each line of output, as it comes (a derived host watches for its start-up line here).</summary>
    protected virtual void OnLine(string line)
    {
    }

    private void Receive(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            OnLine(line);
        }
    }
}
