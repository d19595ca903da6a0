using Microsoft.Extensions.Logging;
using Mixillo.Jobs;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Runs one claimed stage of a job (an <see cref="IStage"/>: fetch, process or publish) under its lease, with a
/// <see cref="StageWatchdog"/> beside it, and settles the outcome: completed; cancelled (at the user's request);
/// released (at shutdown); lease lost (the job is someone else's now); or failed (recorded, and retried when it may
/// pass). Records the stage's span and metrics, and removes its scratch, and the kept source unless the next stage is
/// held for this worker.
/// </summary>
internal sealed partial class StageExecutor(
    IEnumerable<IStage> stages,
    IJobQueue store,
    StageStorage transfers,
    StageWatchdog watchdog,
    WorkerOptions options,
    CostOptions prices,
    WorkerPulse pulse,
    TimeProvider time,
    ILogger<StageExecutor> logger)
{
    private readonly Dictionary<JobStage, IStage> _stages = stages.ToDictionary(s => s.Stage);

    /// <param name="hardStop">Cancelled when the host's shutdown grace runs out: the stage is released, not failed.</param>
    /// <returns>The job's id when its next stage is held for this worker (<see cref="IJobQueue.ClaimHeldAsync"/> takes it).</returns>
    public async Task<string?> RunAsync(TranscodeJob job, JobLease lease, CancellationToken hardStop)
    {
        var stageName = JobJson.Name(job.Stage);
        var started = time.GetTimestamp();
        using var activity = StageTrace.Start(job, lease);
        using var busy = pulse.Busy();
        if (StageTrace.QueueWait(job) is { } wait)
        {
            PipelineTelemetry.QueueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>(JobsTelemetry.Stage, stageName));
        }

        var scratch = Path.Combine(options.ScratchRoot, lease.WorkerId, $"{job.JobId}-{lease.Token}");
        var context = new StageContext(job, lease, scratch, store);
        using var stage = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        var stop = new StageStop();
        var watching = watchdog.WatchAsync(context, stop, stage);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["jobId"] = job.JobId, ["contentId"] = job.ContentId, ["stage"] = stageName });
        string outcome;
        try
        {
            Directory.CreateDirectory(scratch);
            LogStarting(job.Stage, lease.Token);
            await _stages[job.Stage].RunAsync(context, stage.Token);
            outcome = "completed";
            LogFinished(job.Stage);
        }
        catch (Exception ex) when (stop.LeaseLost || ex is LeaseLostException)
        {
            outcome = "lease_lost";
            LogLeaseLost(lease.Token);
        }
        catch (OperationCanceledException) when (stop.CancelRequested)
        {
            outcome = "cancelled";
            await EndQuietlyAsync(context, (j, now) => j.Cancelled(now));
            await transfers.DeleteStagingQuietlyAsync(OutputKeys.Staging(job.JobId));
            LogCancelled();
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            outcome = "released";
            await EndQuietlyAsync(context, (j, now) => j.Release(now));
            LogReleased();
        }
        catch (Exception ex)
        {
            outcome = "failed";
            var error = await FailAsync(context, ex);
            StageTrace.Failed(activity, error, ex);
        }
        finally
        {
            await stage.CancelAsync();
            await watching;
            ScratchFolder.Delete(scratch);
        }

        var held = outcome == "completed" && context.Job.HeldFor == lease.WorkerId;
        if (!held)
        {
            transfers.DropKept(lease.WorkerId, job.JobId);
        }

        PipelineTelemetry.StageDuration.Record(
            time.GetElapsedTime(started).TotalSeconds, new(JobsTelemetry.Stage, stageName), new(PipelineTelemetry.Outcome, outcome));
        activity?.SetTag(PipelineTelemetry.Outcome, outcome);
        PipelineTelemetry.RecordFinished(context.Job);
        return held ? job.JobId : null;
    }

    /// <summary>The last write of a stage that is being stopped: the lease may be gone or the store away; stuck recovery then does the rest.</summary>
    private async Task EndQuietlyAsync(StageContext context, Action<TranscodeJob, DateTimeOffset> end)
    {
        try
        {
            await context.ChangeAsync(end, CancellationToken.None);
        }
        catch (Exception ex) when (ex is LeaseLostException || StoreErrors.IsTransient(ex))
        {
            LogFailureNotRecorded(ex.Message);
        }
    }

    private async Task<JobError> FailAsync(StageContext context, Exception exception)
    {
        var error = JobFailures.Classify(exception, context.CurrentTask, time.GetUtcNow());
        LogFailed(exception, error.Code, error.Retryable, (exception as MediaException)?.Diagnostics);
        PipelineTelemetry.Failures.Add(
            1, new(PipelineTelemetry.ErrorType, error.Code), new(JobsTelemetry.Stage, JobJson.Name(context.Job.Stage)), new("retryable", error.Retryable));
        try
        {
            var recordUsage = context.TakeUsage(prices);
            await context.ChangeAsync(
                (j, now) =>
                {
                    recordUsage(j, now);
                    if (context.CurrentTask is { } task && j.Tasks.FirstOrDefault(t => t.Type == task) is { Status: JobTaskStatus.Pending or JobTaskStatus.Processing })
                    {
                        j.FailTask(task, error.Error, now);
                    }

                    j.Fail(error, now, Random.Shared.NextDouble());
                },
                CancellationToken.None);
            // Staging stays after a final failure: an operator's retry resumes from the tasks that completed.
        }
        catch (Exception ex) when (ex is LeaseLostException || StoreErrors.IsTransient(ex))
        {
            // The store is unreachable or the job was taken over: stuck recovery will retry it.
            LogFailureNotRecorded(ex.Message);
        }

        return error;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stage {Stage} started (lease {Token})")]
    private partial void LogStarting(JobStage stage, long token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stage {Stage} finished")]
    private partial void LogFinished(JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Token} was lost; the stage stopped without writing")]
    private partial void LogLeaseLost(long token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled at the user's request")]
    private partial void LogCancelled();

    [LoggerMessage(Level = LogLevel.Information, Message = "Released to the queue at shutdown")]
    private partial void LogReleased();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stage failed with {Code} (retryable: {Retryable}); ffmpeg said: {Diagnostics}")]
    private partial void LogFailed(Exception exception, string code, bool retryable, string? diagnostics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The failure could not be recorded ({Reason}); stuck recovery will retry the job")]
    private partial void LogFailureNotRecorded(string reason);
}
