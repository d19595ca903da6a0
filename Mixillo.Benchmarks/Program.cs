using System.Runtime.InteropServices;
using Mixillo.Benchmarks;

// Ctrl+C / SIGTERM cancel the run instead of ending the process, so ffmpeg and PostgreSQL are stopped and temp folders removed.
using var cancellation = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

// One verb per benchmark: add new ones beside "media".
return args switch
{
    ["media", .. var rest] => await MediaBenchmark.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    ["queue", .. var rest] => await QueueBenchmark.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    _ => Usage(),
};

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancellation.Cancel();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Mixillo.Benchmarks VERB [options]");
    Console.Error.WriteLine("  " + MediaBenchmark.Synopsis);
    Console.Error.WriteLine("  " + QueueBenchmark.Synopsis);
    return 2;
}
