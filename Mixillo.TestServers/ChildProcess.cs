using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mixillo.TestServers;

/// <summary>Process helpers for throwaway servers.</summary>
public static class ChildProcess
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var process = Start(file, args);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    /// <summary>Starts a process with output redirected (a server's output is drained so it never blocks).</summary>
    public static Process Start(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
    }

    /// <summary>Command and arguments that run <paramref name="file"/> as <paramref name="user"/> when we are root (exec, no extra parent process).</summary>
    public static (string File, string[] Args) As(string user, string file, params string[] args) =>
        IsRoot ? ("setpriv", ["--reuid", user, "--regid", user, "--init-groups", "--", file, .. args]) : (file, args);

    /// <summary>Sends a signal by PID (kill -SIGNAL).</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
