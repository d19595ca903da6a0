using System.Diagnostics;
using System.Globalization;
using Mixillo.Jobs.Model;

namespace Mixillo.Worker.Core;

/// <summary>Who this worker is: <c>worker_{hostname}_{pid}</c>.</summary>
public sealed record WorkerIdentity(string WorkerId, string Hostname)
{
    public const string Role = "worker";

    public static WorkerIdentity Current { get; } = new(ProcessName(Role), Environment.MachineName);

    /// <summary><c>{role}_{hostname}_{pid}</c>: this process, among the processes of this host (a worker's id, a scratch folder).</summary>
    public static string ProcessName(string role) => $"{role}_{Environment.MachineName}_{Environment.ProcessId}";

    /// <summary>The process id a name made by <see cref="ProcessName"/> carries, when it names a process of this host.</summary>
    public static int? PidOnThisHost(string name, string role = Role) =>
        name.StartsWith($"{role}_{Environment.MachineName}_", StringComparison.Ordinal)
        && int.TryParse(name[(name.LastIndexOf('_') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    /// <summary>
    /// Whether the worker holding a job is known to be dead: it is a worker of this host, and no process has its
    /// pid now, or the one that has it started after the worker's last heartbeat (the pid was reused; a worker
    /// restarted as pid 1 of its container finds its own id so). Only this host's process table can tell, so any
    /// other holder is left to stuck recovery. A hostname must name one process table: two containers given the
    /// same hostname would take each other's workers for dead (Docker, Kubernetes and Aspire give each its own).
    /// </summary>
    public static bool IsKnownDead(WorkerInfo holder)
    {
        if (PidOnThisHost(holder.WorkerId) is not { } pid)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime() > holder.LastHeartbeat.UtcDateTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // No such process, or it exited as we looked.
            return true;
        }
    }
}
