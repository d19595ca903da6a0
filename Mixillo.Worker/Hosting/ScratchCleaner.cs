namespace Mixillo.Worker.Hosting;

/// <summary>
/// Scratch left by crashed workers of this host: each worker works under ScratchRoot/{workerId}/, so a
/// folder whose process is gone is garbage. This process's own folder is kept: another host in it may be using it.
/// </summary>
public static class ScratchCleaner
{
    public static IReadOnlyList<string> RemoveAbandoned(string scratchRoot, WorkerIdentity self)
    {
        if (!Directory.Exists(scratchRoot))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var folder in Directory.GetDirectories(scratchRoot))
        {
            var name = Path.GetFileName(folder);
            if (WorkerIdentity.PidOnThisHost(name) is { } pid && name != self.WorkerId && !Directory.Exists($"/proc/{pid}"))
            {
                Directory.Delete(folder, recursive: true);
                removed.Add(folder);
            }
        }

        return removed;
    }
}
