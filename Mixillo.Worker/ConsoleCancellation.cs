using System.Runtime.InteropServices;

namespace Mixillo.Worker;

/// <summary>SIGINT and SIGTERM cancel the running command instead of ending the process, so ffmpeg is killed and scratch removed first.</summary>
internal static class ConsoleCancellation
{
    private static readonly CancellationTokenSource Source = new();

    // Held for the life of the process: disposing a registration unregisters the handler.
    private static readonly PosixSignalRegistration[] Registrations =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel),
    ];

    public static CancellationToken Token => Registrations.Length > 0 ? Source.Token : CancellationToken.None;

    private static void Cancel(PosixSignalContext context)
    {
        context.Cancel = true;
        Source.Cancel();
    }
}
