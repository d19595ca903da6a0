using System.Runtime.InteropServices;
using Mixillo.Benchmarks;

// Ctrl+C / SIGTERM cancel the run instead of ending the process, so ffmpeg and PostgreSQL are stopped and temp folders removed.
using var cancellation = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

// One verb per benchmark: add new ones beside "media".
return args switch
{
    ["media", .. var rest] => await RunAsync(MediaBenchmark.Synopsis, () => MediaBenchmark.Settings.Parse(rest), s => MediaBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    ["queue", .. var rest] => await RunAsync(QueueBenchmark.Synopsis, () => QueueBenchmark.Settings.Parse(rest), s => QueueBenchmark.RunAsync(s, Console.Out, cancellation.Token)),
    ["worker", .. var rest] => await RunAsync(WorkerBenchmark.Synopsis, () => WorkerBenchmark.Settings.Parse(rest), s => WorkerBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    ["api", .. var rest] => await RunAsync(ApiBenchmark.Synopsis, () => ApiBenchmark.Settings.Parse(rest), s => ApiBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    ["events", .. var rest] => await RunAsync(EventsBenchmark.Synopsis, () => EventsBenchmark.Settings.Parse(rest), s => EventsBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    ["playable", .. var rest] => await RunAsync(PlayableBenchmark.Synopsis, () => PlayableBenchmark.Settings.Parse(rest), s => PlayableBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    ["apphost", .. var rest] => await RunAsync(AppHostBenchmark.Synopsis, () => AppHostBenchmark.Settings.Parse(rest), s => AppHostBenchmark.RunAsync(s, Console.Out, Console.Error, cancellation.Token)),
    _ => Usage(),
};

// Bad options print the reason and the verb's usage, and exit 2; a cancelled run (its servers and folders removed) exits 130.
async Task<int> RunAsync<TSettings>(string synopsis, Func<TSettings> parse, Func<TSettings, Task<int>> run)
{
    TSettings settings;
    try
    {
        settings = parse();
    }
    catch (ArgumentException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        await Console.Error.WriteLineAsync("usage: Mixillo.Benchmarks " + synopsis);
        return 2;
    }

    try
    {
        return await run(settings);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        await Console.Error.WriteLineAsync("cancelled");
        return 130;
    }
}

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
    Console.Error.WriteLine("  " + WorkerBenchmark.Synopsis);
    Console.Error.WriteLine("  " + ApiBenchmark.Synopsis);
    Console.Error.WriteLine("  " + EventsBenchmark.Synopsis);
    Console.Error.WriteLine("  " + AppHostBenchmark.Synopsis);
    Console.Error.WriteLine("  " + PlayableBenchmark.Synopsis);
    return 2;
}
