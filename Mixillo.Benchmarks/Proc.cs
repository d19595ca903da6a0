using System.Globalization;

namespace Mixillo.Benchmarks;

/// <summary>
/// What /proc says about a process: CPU, memory, parent, command line, environment. Every reader returns null (or
/// empty) once the process is gone, since the benchmarks read processes that may end at any time.
/// </summary>
internal static class Proc
{
    /// <summary>USER_HZ: the unit of /proc/PID/stat and /proc/stat times, 100 on Linux.</summary>
    public const int ClockTicks = 100;

    /// <summary>The PIDs of every process now.</summary>
    public static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(folder => int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    /// <summary>
    /// Fields 3 (state: R, S, ..., Z for a zombie), 4 (parent), 14 and 15 (user + system CPU of the process itself), 16 and 17 (of its children that have
    /// exited and been waited for: for a worker, every ffmpeg and ffprobe it ran, since .NET reaps them) and 22 (start
    /// time, which tells a process from a later one with the same PID) of /proc/PID/stat.
    /// </summary>
    public static Stat? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Invariant($"/proc/{pid}/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count from after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double Ticks(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture) / (double)ClockTicks;
            return new Stat(fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), Ticks(11) + Ticks(12), Ticks(13) + Ticks(14), long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A kB field of /proc/PID/status (VmRSS: resident now; VmHWM: the most ever resident), in MB (10^6 bytes).</summary>
    public static double? StatusMb(int pid, string field) => KilobyteField(Invariant($"/proc/{pid}/status"), field);

    /// <summary>
    /// Proportional set size: the process's resident memory with each shared page divided among the processes that
    /// map it, so that the PSS of many processes adds up to what they hold together (their RSS counts shared pages once each).
    /// </summary>
    public static double? PssMb(int pid) => KilobyteField(Invariant($"/proc/{pid}/smaps_rollup"), "Pss");

    /// <summary>The arguments the process runs with (for a process that renamed itself, such as a PostgreSQL backend, its title).</summary>
    public static string[] CommandLine(int pid) =>
        Read(Invariant($"/proc/{pid}/cmdline"))?.Split('\0', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>The environment the process was started with (we are root, or its owner).</summary>
    public static Dictionary<string, string> Environment(int pid) =>
        (Read(Invariant($"/proc/{pid}/environ")) ?? "").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);

    /// <summary>Whether the process ignores <paramref name="signal"/> (SigIgn of /proc/PID/status), such as SIGINT in a job a non-interactive shell put in the background.</summary>
    public static bool Ignores(int pid, int signal)
    {
        var line = (Read(Invariant($"/proc/{pid}/status")) ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (signal - 1))) != 0;
    }

    private static double? KilobyteField(string file, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return double.Parse(parts[1], CultureInfo.InvariantCulture) * 1024 / 1e6;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <param name="StartTicks">Since boot, in <see cref="ClockTicks"/>: with the PID, names one process for good.</param>
    public sealed record Stat(char State, int ParentPid, double Self, double Children, long StartTicks)
    {
        /// <summary>Running, or at least not a zombie waiting for its parent to reap it.</summary>
        public bool Live => State != 'Z' && State != 'X';
    }
}
