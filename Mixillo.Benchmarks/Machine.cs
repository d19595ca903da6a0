namespace Mixillo.Benchmarks;

/// <summary>What the machine is doing besides the benchmark: other builds and test runs may share it.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, or "n/a" off Linux.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
