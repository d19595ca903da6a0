using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Fetch: the source into scratch, probed and validated unless <c>complete</c> did that; its metadata and the job's
/// estimate recorded. When this worker also processes, it keeps the file and holds the process stage for itself
/// (<see cref="WorkerOptions.NextStageHold"/>), so the source crosses the network once.
/// </summary>
internal sealed class FetchStage(StageStorage transfers, CostOptions prices, WorkerOptions options) : IStage
{
    public JobStage Stage => JobStage.Fetch;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        context.CurrentTask = JobTaskType.Transcode;
        var hold = options.NextStageHold > TimeSpan.Zero && options.StageList.Contains(JobStage.Process);
        var (_, source) = await transfers.SourceAsync(context, keep: hold, cancellationToken);
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.RecordSource(source, CostModel.Estimate(source.DurationSeconds, source.SizeBytes, j.Options, prices));
                j.ReportProgress(new JobProgress { Overall = StageProgress.Fetched, CurrentTask = JobJson.Name(JobTaskType.Transcode), CurrentStep = "fetched" }, now);
                recordUsage(j, now);
                if (!j.CompleteStage(now) && j.Status == JobStatus.Queued && hold)
                {
                    j.HoldFor(context.Lease.WorkerId, now + options.NextStageHold);
                }
            },
            cancellationToken);
    }
}
