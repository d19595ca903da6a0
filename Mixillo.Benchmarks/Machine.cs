using System.Globalization;

namespace Mixillo.Benchmarks;

/// <summary>What the machine is doing besides the benchmark: other builds and test runs may share it.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, or "n/a" off Linux.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The first line of /proc/stat: busy and total ticks of every core since boot (busy = all but idle and iowait), in <see cref="Proc.ClockTicks"/>.</summary>
    public static (long Busy, long Total) Cpu()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Sum();
        return (total - ticks[3] - ticks[4], total);
    }
}
