namespace Mixillo.Worker.Hosting;

/// <summary>Who this worker is: <c>worker_{hostname}_{pid}</c>.</summary>
public sealed record WorkerIdentity(string WorkerId, string Hostname)
{
    public static WorkerIdentity Current { get; } = new($"worker_{Environment.MachineName}_{Environment.ProcessId}", Environment.MachineName);

    /// <summary>The process id a worker folder or id names, when it is a worker of this host.</summary>
    public static int? PidOnThisHost(string workerId) =>
        workerId.StartsWith($"worker_{Environment.MachineName}_", StringComparison.Ordinal)
        && int.TryParse(workerId[(workerId.LastIndexOf('_') + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
}
