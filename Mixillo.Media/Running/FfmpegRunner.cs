using System.Diagnostics;
using Mixillo.Errors;

namespace Mixillo.Media.Running;

/// <summary>
/// Runs one ffmpeg: progress from <c>-progress pipe:1</c>, the stderr tail kept for diagnostics,
/// killed (with its children) on cancellation, when its progress stalls, or when the source it decodes turns
/// out to hold more than it declared (<see cref="SourceOverrun"/>).
/// </summary>
public sealed class FfmpegRunner(MediaOptions options, TimeProvider time)
{
    private const int StderrTailLines = 30;

    /// <summary>Raised with the process id as soon as ffmpeg starts (tests and metrics watch it).</summary>
    public event Action<int>? Started;

    /// <summary>Raised when an ffmpeg exits successfully.</summary>
    public event Action<FfmpegRun>? Finished;

    /// <summary>
    /// Runs ffmpeg as <paramref name="step"/>, in a span of its own (step, rungs, media seconds, speed, exit code;
    /// the stderr tail on failure) and measured in <see cref="MediaTelemetry"/>. A non-zero exit throws a
    /// <see cref="MediaException"/>: the step's failure code, or an input error when the source could not be decoded.
    /// </summary>
    public async Task<FfmpegRun> RunAsync(FfmpegStep step, IReadOnlyList<string> arguments, Action<double>? onPercent, CancellationToken cancellationToken)
    {
        using var activity = MediaTelemetry.Source.StartActivity("ffmpeg " + step.Name);
        var stepTag = new KeyValuePair<string, object?>(MediaTelemetry.Step, step.Name);
        activity?.SetTag(MediaTelemetry.Step, step.Name);
        activity?.SetTag("mixillo.ffmpeg.rungs", step.Rungs);
        activity?.SetTag("mixillo.media.duration", step.MediaSeconds);
        var startedAt = time.GetTimestamp();
        try
        {
            var run = await RunProcessAsync(step, arguments, activity, onPercent, cancellationToken);
            MediaTelemetry.Duration.Record(run.Elapsed.TotalSeconds, stepTag, new("outcome", "ok"));
            if (run.Speed is { } speed)
            {
                activity?.SetTag("mixillo.ffmpeg.speed", speed);
                MediaTelemetry.Speed.Record(speed, stepTag);
            }

            return run;
        }
        catch (Exception ex)
        {
            var code = (ex as MediaException)?.Code ?? (ex is OperationCanceledException ? "cancelled" : "error");
            MediaTelemetry.Duration.Record(time.GetElapsedTime(startedAt).TotalSeconds, stepTag, new("outcome", code));
            activity?.SetTag("outcome", code);
            if (ex is not OperationCanceledException)
            {
                // A cancel (the user's, or a shutdown's) is not the encoder failing.
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                activity?.SetTag("error.type", code);
            }

            if (ex is MediaException { Diagnostics: { Length: > 0 } stderr })
            {
                activity?.AddEvent(new ActivityEvent("ffmpeg stderr", tags: new ActivityTagsCollection { ["mixillo.ffmpeg.stderr"] = stderr }));
            }

            throw;
        }
    }

    private async Task<FfmpegRun> RunProcessAsync(FfmpegStep step, IReadOnlyList<string> arguments, Activity? activity, Action<double>? onPercent, CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        using var process = Processes.Start(options.FfmpegPath, arguments);
        Started?.Invoke(process.Id);
        activity?.SetTag("process.pid", process.Id);

        var progress = new ProgressParser(step.MediaSeconds);
        var lastMove = time.GetTimestamp();
        var stalled = false;
        MediaException? overrun = null;
        var processorTime = TimeSpan.Zero;
        var tail = new Queue<string>();

        using var stopWatchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var registration = cancellationToken.Register(() => Processes.Kill(process));

        void Overran(MediaException? refusal)
        {
            if (refusal is not null && Interlocked.CompareExchange(ref overrun, refusal, null) is null)
            {
                Processes.Kill(process);
            }
        }

        var readProgress = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (progress.Feed(line))
                {
                    Interlocked.Exchange(ref lastMove, time.GetTimestamp());
                    processorTime = ProcessorTime(process, processorTime);
                    if (step.Source is { } bounds)
                    {
                        Overran(SourceOverrun.Check(bounds, progress));
                    }

                    if (overrun is null)
                    {
                        onPercent?.Invoke(progress.Percent);
                    }
                }
            }
        }, CancellationToken.None);

        var readErrors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (step.ReadsSource)
                {
                    Overran(SourceOverrun.Check(line));
                }

                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > StderrTailLines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }, CancellationToken.None);

        var watchdog = Task.Run(async () =>
        {
            var period = TimeSpan.FromMilliseconds(Math.Clamp(options.StallTimeout.TotalMilliseconds / 4, 50, 1000));
            while (!stopWatchdog.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(period, time, stopWatchdog.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (time.GetElapsedTime(Interlocked.Read(ref lastMove)) > options.StallTimeout)
                {
                    stalled = true;
                    Processes.Kill(process);
                    return;
                }
            }
        }, CancellationToken.None);

        await process.WaitForExitAsync(CancellationToken.None);
        await Task.WhenAll(readProgress, readErrors);
        await stopWatchdog.CancelAsync();
        await watchdog;

        var diagnostics = string.Join('\n', tail);
        activity?.SetTag("process.exit.code", process.ExitCode);
        cancellationToken.ThrowIfCancellationRequested();
        if (overrun is not null)
        {
            throw overrun;
        }

        if (stalled)
        {
            throw new MediaException(ErrorCatalog.EncoderStalled, $"ffmpeg made no progress for {options.StallTimeout.TotalSeconds:0.#} s and was stopped.")
            {
                Diagnostics = diagnostics,
            };
        }

        if (process.ExitCode != 0)
        {
            throw FfmpegFailure.Classify(step, process.ExitCode, diagnostics);
        }

        var run = new FfmpegRun(time.GetElapsedTime(startedAt), processorTime, progress.Speed);
        Finished?.Invoke(run);
        return run;
    }

    // Read while ffmpeg lives: once it has exited and been reaped its /proc entry is gone. The last block
    // ("progress=end") comes after the trailer is written, so the final sample misses next to nothing. Exited
    // and known to be is InvalidOperationException; exited a moment before (its /proc entry just gone) is
    // Win32Exception: either way the last sample stands.
    private static TimeSpan ProcessorTime(Process process, TimeSpan previous)
    {
        try
        {
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return previous;
        }
    }
}

/// <summary>How one ffmpeg run went: wall time, its CPU time, and its last reported speed (x realtime).</summary>
public sealed record FfmpegRun(TimeSpan Elapsed, TimeSpan ProcessorTime, double? Speed);
