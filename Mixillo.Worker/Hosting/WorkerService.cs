using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.ServiceDefaults;
using Mixillo.Worker.Core;
using Mixillo.Worker.Pipeline;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Takes stages from the queue, <see cref="WorkerOptions.Concurrency"/> at a time, and recovers stuck jobs.
/// At shutdown it stops claiming at once; running stages get <see cref="WorkerOptions.ShutdownGrace"/> to
/// finish and are then released to the queue, never failed.
/// </summary>
internal sealed partial class WorkerService(
    IJobStore store,
    MigrationService migration,
    StageExecutor runner,
    StageStorage transfers,
    StagingSweeper sweeper,
    WorkerOptions options,
    QueueOptions queue,
    WorkerIdentity identity,
    WorkerPulse pulse,
    IEnumerable<Health.SpaceFloors> floors,
    ILogger<WorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan TransientPause = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var abandoned in ScratchCleaner.RemoveAbandoned(options.ScratchRoot, WorkerIdentity.Role))
        {
            LogScratchRemoved(abandoned.Folder, abandoned.KilledPids.Count == 0 ? "none" : string.Join(", ", abandoned.KilledPids));
        }

        // Claims need the schema; storage may be away for a moment (its failures make stages retry).
        try
        {
            await migration.StoreReady.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        await ReleaseJobsOfDeadWorkersAsync(stoppingToken);
        LogStarted(identity.WorkerId, options.Concurrency, options.Stages);

        using var hardStop = new CancellationTokenSource();
        using var graceOnStop = stoppingToken.Register(() => hardStop.CancelAfter(options.ShutdownGrace));
        var loops = Enumerable.Range(0, options.Concurrency).Select(_ => ClaimLoopAsync(stoppingToken, hardStop.Token)).ToList();
        loops.Add(RecoveryLoopAsync(stoppingToken));
        loops.Add(SweepLoopAsync(stoppingToken));
        await Task.WhenAll(loops);
    }

    /// <summary>Best effort: whatever this misses, stuck recovery still finds after StuckAfter.</summary>
    private async Task ReleaseJobsOfDeadWorkersAsync(CancellationToken stopping)
    {
        try
        {
            var released = await DeadWorkers.ReleaseJobsAsync(store, identity, stopping);
            PipelineTelemetry.RecordRecovered(released);
            foreach (var job in released)
            {
                LogReleasedFromDeadWorker(job.JobId, job.Errors[^1].Error, job.Status);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping before it started: the claim loops end at once too.
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            LogReleaseFailed(ex.Message);
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stopping, CancellationToken hardStop)
    {
        var stages = options.StageList;
        var space = floors.Single(kind => kind.Work == Health.SpaceFloors.Stages);
        string? held = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (space.FirstShortfall() is { } shortfall)
                {
                    // A stage would fill the disk halfway through; what runs finishes, nothing new starts.
                    pulse.Beat();
                    LogLowSpace(shortfall);
                    await Task.Delay(queue.PollInterval, stopping);
                    continue;
                }

                // Not cancelled by shutdown: a claim committed as the call was cancelled would orphan its job.
                var claim = held is { } jobId ? await ClaimHeldAsync(jobId) : ClaimResult.Nothing;
                held = null;
                if (!claim.Claimed)
                {
                    claim = await store.ClaimAsync(identity.WorkerId, identity.Hostname, stages, CancellationToken.None);
                }

                pulse.Beat();
                if (claim.Claimed)
                {
                    held = await runner.RunAsync(claim.Job!, claim.Lease!, stopping.IsCancellationRequested ? new CancellationToken(canceled: true) : hardStop);
                    continue;
                }

                var wait = claim.RetryAfter is { } after && after < queue.PollInterval ? after : queue.PollInterval;
                await store.WaitForWorkAsync(wait, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (StoreErrors.IsTransient(ex))
            {
                LogTransient(ex.Message);
                await PauseAsync(stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                // Whatever went wrong with one job, this slot goes on taking the next.
                LogUnexpected(ex);
                await PauseAsync(stopping);
            }
        }

        // Stopping: the held stage goes to another worker when its hold ends.
        if (held is { } left)
        {
            transfers.DropKept(identity.WorkerId, left);
        }
    }

    /// <summary>Every worker looks for stuck jobs; the store's row locks make sure each is recovered once.</summary>
    private Task RecoveryLoopAsync(CancellationToken stopping) =>
        HostedLoop.RunAsync(
            async cancellationToken =>
            {
                var recovered = await store.RecoverStuckAsync(cancellationToken);
                pulse.Beat();
                PipelineTelemetry.RecordRecovered(recovered);
                foreach (var job in recovered)
                {
                    LogRecovered(job.JobId, job.Status);
                }
            },
            queue.HeartbeatInterval,
            TimeProvider.System,
            ex => LogRecoveryFailed(ex.Message),
            stopping);

    /// <summary>
    /// Every <see cref="WorkerOptions.StagingSweepInterval"/>, from the start, staging no job needs is removed. Garbage
    /// can wait: whatever went wrong, the worker goes on and the next sweep tries again.
    /// </summary>
    private Task SweepLoopAsync(CancellationToken stopping) =>
        HostedLoop.RunAsync(
            async cancellationToken =>
            {
                var swept = await sweeper.SweepAsync(cancellationToken);
                if (swept.Count > 0)
                {
                    LogStagingSwept(swept.Count, string.Join(", ", swept));
                }
            },
            options.StagingSweepInterval,
            TimeProvider.System,
            ex => LogSweepFailed(ex.Message),
            stopping);

    /// <summary>The stage held for this worker after its fetch; the kept source goes when the job is no longer there to take.</summary>
    private async Task<ClaimResult> ClaimHeldAsync(string jobId)
    {
        var claim = ClaimResult.Nothing;
        try
        {
            claim = await store.ClaimHeldAsync(jobId, identity.WorkerId, identity.Hostname, CancellationToken.None);
            return claim;
        }
        finally
        {
            if (!claim.Claimed)
            {
                transfers.DropKept(identity.WorkerId, jobId);
            }
        }
    }

    private static async Task PauseAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TransientPause, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started: {Concurrency} at once, stages {Stages}")]
    private partial void LogStarted(string workerId, int concurrency, string stages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed scratch of a crashed worker: {Folder} (orphan processes killed: {Pids})")]
    private partial void LogScratchRemoved(string folder, string pids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was held by a dead worker and is now {Status}: {Reason}")]
    private partial void LogReleasedFromDeadWorker(string jobId, string reason, Mixillo.Jobs.Model.JobStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs of dead workers were not released at start ({Reason}); stuck recovery will find them")]
    private partial void LogReleaseFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was stuck and is now {Status}")]
    private partial void LogRecovered(string jobId, Mixillo.Jobs.Model.JobStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the staging of {Count} finished or deleted jobs: {JobIds}")]
    private partial void LogStagingSwept(int count, string jobIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staging sweep failed, trying again later: {Reason}")]
    private partial void LogSweepFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for stuck jobs failed, trying again at the next heartbeat: {Reason}")]
    private partial void LogRecoveryFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A stage failed unexpectedly; the slot goes on")]
    private partial void LogUnexpected(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store or storage unavailable, trying again: {Reason}")]
    private partial void LogTransient(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not claiming: {Floor}")]
    private partial void LogLowSpace(string floor);
}
