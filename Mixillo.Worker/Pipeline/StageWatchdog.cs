using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>Heartbeats and progress writes while a stage runs; a cancel request or a lost lease stops the stage.</summary>
internal sealed partial class StageWatchdog(
    IJobStore store, WorkerOptions options, QueueOptions queue, WorkerPulse pulse, TimeProvider time, ILogger<StageWatchdog> logger)
{
    /// <summary>Watches until <paramref name="stage"/> is cancelled (by the stage's end, or by the watchdog itself, saying why in <paramref name="stop"/>).</summary>
    public async Task WatchAsync(StageContext context, StageStop stop, CancellationTokenSource stage)
    {
        var lastBeat = time.GetUtcNow();
        while (!stage.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.ProgressInterval, time, stage.Token);
                var wrote = await context.FlushProgressAsync(stage.Token);
                var cancelRequested = context.Job.CancelRequested;
                if (time.GetUtcNow() - lastBeat >= queue.HeartbeatInterval)
                {
                    lastBeat = time.GetUtcNow();
                    cancelRequested |= await store.HeartbeatAsync(context.Lease, stage.Token);
                    pulse.Beat();
                }
                else if (!wrote && !cancelRequested)
                {
                    // Between heartbeats and when no progress write just read the job back: a cancel must stop
                    // ffmpeg within seconds, not a heartbeat later.
                    cancelRequested = (await store.GetAsync(context.Lease.JobId, stage.Token))?.CancelRequested == true;
                }

                // Publishing is short and copies outputs into view: it finishes rather than leaving half a set published.
                if (cancelRequested && context.Job.Stage != JobStage.Publish)
                {
                    stop.CancelRequested = true;
                    await stage.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (LeaseLostException)
            {
                stop.LeaseLost = true;
                await stage.CancelAsync();
            }
            catch (Exception ex) when (StoreErrors.IsTransient(ex))
            {
                // The store is away for a moment; the stage goes on and the next beat tries again.
                LogHeartbeatFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);
}

/// <summary>Why the watchdog stopped a stage, if it did.</summary>
internal sealed class StageStop
{
    public volatile bool CancelRequested;
    public volatile bool LeaseLost;
}
