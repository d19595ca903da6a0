using System.Diagnostics;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Scratch left by crashed workers of this host: each worker works under ScratchRoot/{workerId}/, so a
/// folder whose process is gone is garbage. A SIGKILLed worker's ffmpeg lives on (it has no parent to
/// tell it): whatever still runs with the folder in its command line is killed first. This process's own
/// folder is kept: another host in it may be using it.
/// </summary>
public static class ScratchCleaner
{
    public static IReadOnlyList<AbandonedScratch> RemoveAbandoned(string scratchRoot, WorkerIdentity self)
    {
        if (!Directory.Exists(scratchRoot))
        {
            return [];
        }

        var removed = new List<AbandonedScratch>();
        foreach (var folder in Directory.GetDirectories(scratchRoot))
        {
            var name = Path.GetFileName(folder);
            if (WorkerIdentity.PidOnThisHost(name) is { } pid && name != self.WorkerId && !Directory.Exists($"/proc/{pid}"))
            {
                var killed = KillOrphans(folder);
                Remove(folder);
                removed.Add(new AbandonedScratch(folder, killed));
            }
        }

        return removed;
    }

    /// <summary>
    /// Another worker starting on this host may be removing the same folder at the same moment: a part it removed
    /// first is no error, and whatever either of us skipped because of that is removed on the next pass.
    /// </summary>
    private static void Remove(string folder)
    {
        while (Directory.Exists(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed under us: look again.
            }
        }
    }

    /// <summary>Kills the processes whose command line names a path inside <paramref name="folder"/> (Linux; none elsewhere).</summary>
    private static List<int> KillOrphans(string folder)
    {
        var killed = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return killed;
        }

        var inside = folder.TrimEnd('/') + "/";
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0').Any(arg => arg.Contains(inside, StringComparison.Ordinal)))
                {
                    using var orphan = Process.GetProcessById(pid);
                    orphan.Kill();
                    orphan.WaitForExit(TimeSpan.FromSeconds(5));
                    killed.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return killed;
    }
}

/// <summary>A crashed worker's scratch folder, removed, and the orphans (its ffmpeg, say) killed first.</summary>
public sealed record AbandonedScratch(string Folder, IReadOnlyList<int> KilledPids);
