using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Fetch: the source's metadata and the job's estimate recorded, from <c>complete</c>'s probe or (a job an admin
/// enqueued) by downloading, probing and validating the source. When this worker also processes, it downloads the
/// source, keeps it and holds the process stage for itself (<see cref="WorkerOptions.NextStageHold"/>), so the source
/// crosses the network once; otherwise a probed source is only checked to be there.
/// </summary>
internal sealed class FetchStage(StageStorage transfers, CostOptions prices, WorkerOptions options) : IStage
{
    public JobStage Stage => JobStage.Fetch;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        context.CurrentTask = JobTaskType.Transcode;
        var hold = options.NextStageHold > TimeSpan.Zero && options.StageList.Contains(JobStage.Process);
        var source = hold ? (await transfers.SourceAsync(context, keep: true, cancellationToken)).Source : await transfers.MetadataAsync(context, cancellationToken);
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
