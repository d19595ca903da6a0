using System.Diagnostics;

namespace Mixillo.Worker.Core;

/// <summary>
/// Scratch left by crashed processes of this host: each process works under ScratchRoot/{role}_{hostname}_{pid}/
/// (a worker under its workerId), so a folder whose process is gone is garbage. A SIGKILLed worker's ffmpeg lives on
/// (it has no parent to tell it): whatever still runs with the folder in its command line is killed first. This
/// process's own folder is shared by every host in it (tests run several), so only what is older than this process
/// goes from there: a predecessor's, when the pid came round again (a restarted container's process is pid 1 each time).
/// </summary>
public static class ScratchCleaner
{
    private static readonly DateTime ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>Removes the abandoned scratch of processes of <paramref name="role"/> (<c>worker</c>, <c>api</c>) under <paramref name="scratchRoot"/>.</summary>
    public static IReadOnlyList<AbandonedScratch> RemoveAbandoned(string scratchRoot, string role)
    {
        if (!Directory.Exists(scratchRoot))
        {
            return [];
        }

        var self = WorkerIdentity.ProcessName(role);
        var removed = new List<AbandonedScratch>();
        foreach (var folder in Directory.GetDirectories(scratchRoot))
        {
            var name = Path.GetFileName(folder);
            if (name == self)
            {
                removed.AddRange(RemoveOlderThanThisProcess(folder));
            }
            else if (WorkerIdentity.PidOnThisHost(name, role) is { } pid && !Directory.Exists($"/proc/{pid}"))
            {
                removed.Add(RemoveWithOrphans(folder));
            }
        }

        return removed;
    }

    private static IEnumerable<AbandonedScratch> RemoveOlderThanThisProcess(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.LastWriteTimeUtc < ProcessStarted)
            {
                yield return entry is DirectoryInfo ? RemoveWithOrphans(entry.FullName) : RemoveFile(entry.FullName);
            }
        }
    }

    private static AbandonedScratch RemoveWithOrphans(string folder)
    {
        var killed = KillOrphans(folder);
        Remove(folder);
        return new AbandonedScratch(folder, killed);
    }

    private static AbandonedScratch RemoveFile(string path)
    {
        var killed = KillOrphans(path);
        File.Delete(path);
        return new AbandonedScratch(path, killed);
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

    /// <summary>Kills the processes whose command line names <paramref name="path"/> or a path inside it (Linux; none elsewhere).</summary>
    private static List<int> KillOrphans(string path)
    {
        var killed = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return killed;
        }

        var exact = path.TrimEnd('/');
        var inside = exact + "/";
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0').Any(arg => arg.Contains(inside, StringComparison.Ordinal) || arg.EndsWith(exact, StringComparison.Ordinal)))
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

/// <summary>A crashed process's scratch folder (or a file of it), removed, and the orphans (its ffmpeg, say) killed first.</summary>
public sealed record AbandonedScratch(string Folder, IReadOnlyList<int> KilledPids);
