using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;

namespace Mixillo.Worker.Pipeline;

/// <summary>Fetch: the source into scratch, probed and validated; its metadata and the job's estimate recorded.</summary>
internal sealed class FetchStage(StageStorage transfers, CostOptions prices) : IStage
{
    public JobStage Stage => JobStage.Fetch;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        context.CurrentTask = JobTaskType.Transcode;
        var (_, source) = await transfers.SourceAsync(context, cancellationToken);
        var info = new SourceInfo
        {
            DurationSeconds = source.DurationSeconds,
            Width = source.Video.Width,
            Height = source.Video.Height,
            FramesPerSecond = source.Video.FramesPerSecond,
            VideoCodec = source.Video.Codec,
            AudioCodec = source.Audio?.Codec,
            BitrateBps = source.BitrateBps,
            Format = source.FormatName,
        };
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.RecordSource(info, source.SizeBytes, CostModel.Estimate(source.DurationSeconds, source.SizeBytes, j.Options, prices));
                j.ReportProgress(new JobProgress { Overall = StageProgress.Fetched, CurrentTask = JobJson.Name(JobTaskType.Transcode), CurrentStep = "fetched" }, now);
                recordUsage(j, now);
                j.CompleteStage(now);
            },
            cancellationToken);
    }
}
