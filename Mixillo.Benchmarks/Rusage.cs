using System.Runtime.InteropServices;

namespace Mixillo.Benchmarks;

/// <summary>
/// CPU seconds (user + system) from libc's getrusage. RUSAGE_CHILDREN counts only children that have exited
/// and been reaped; .NET's Process reaps each child before WaitForExit returns, so a delta read after the last
/// wait covers every ffmpeg and ffprobe started in between, with nothing sampled or estimated.
/// </summary>
internal static partial class Rusage
{
    private const int Self = 0;
    private const int Children = -1;

    /// <summary>This process: every thread of the runtime and of the engine running in it.</summary>
    public static double SelfSeconds() => Read(Self);

    /// <summary>Every waited-for child process, summed since this process started.</summary>
    public static double ChildrenSeconds() => Read(Children);

    private static double Read(int who)
    {
        if (GetRusage(who, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);
    }

    // "libc" is mapped to libc.so.6 by the runtime on Linux.
    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, out Native usage);

    /// <summary>
    /// struct rusage on 64-bit Linux: two struct timeval (tv_sec, tv_usec: C longs) then fourteen longs this
    /// benchmark does not read; Size reserves them so the kernel writes inside the struct.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct Native
    {
        public nint UserSeconds;
        public nint UserMicroseconds;
        public nint SystemSeconds;
        public nint SystemMicroseconds;
    }
}
