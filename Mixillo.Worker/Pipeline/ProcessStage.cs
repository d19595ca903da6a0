using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Media;
using Mixillo.Media.Planning;
using Mixillo.Media.Probing;
using Mixillo.Media.Results;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Process: encode, then package (HLS, DASH), each checkpointed, so a retry redoes only the tasks that did not
/// complete. Outputs go to the attempt's private staging prefix; publish copies them into view.
/// </summary>
internal sealed class ProcessStage(StageStorage transfers, MediaEngine engine, CostOptions prices) : IStage
{
    public JobStage Stage => JobStage.Process;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var job = context.Job;
        var encode = job.Task(JobTaskType.Transcode).Status != JobTaskStatus.Completed;
        // Only the encode reads the source; packaging an earlier attempt's renditions needs its metadata alone.
        var (input, source) = encode ? await transfers.SourceAsync(context, keep: false, cancellationToken) : (null, await transfers.MetadataAsync(context, cancellationToken));
        var transcode = job.Options.ToTranscodeOptions();
        var output = Path.Combine(context.Scratch, "out");
        var attempt = OutputKeys.Attempt(job.JobId, context.Lease.Token);

        if (encode)
        {
            context.CurrentTask = JobTaskType.Transcode;
            var progress = new Progress<MediaProgress>(p => context.ReportProgress(JobTaskType.Transcode, p.Percent, StageProgress.EncodeOverall(p), p.Step));
            var encoded = await engine.EncodeAsync(input!, source, transcode, output, progress, cancellationToken);
            context.Use(cpuSeconds: encoded.ProcessorTime.TotalSeconds);
            await transfers.UploadAsync(context, output, attempt, cancellationToken);
            await EncodeRecord.SaveAsync(context, encoded, attempt, cancellationToken);
        }
        else if (NeedsPackaging(context.Job))
        {
            // Encoded by an earlier attempt: the renditions come back from its staging prefix.
            var from = context.Job.Task(JobTaskType.Transcode).Output!;
            foreach (var rendition in LadderPlanner.Plan(source.Video.Width, source.Video.Height, source.Video.FramesPerSecond, transcode.Ladder))
            {
                await transfers.DownloadAsync(context, from + rendition.FileName, Path.Combine(output, rendition.FileName), cancellationToken);
            }
        }

        await PackageAsync(context, source, transcode, output, attempt, cancellationToken);
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.ReportProgress(new JobProgress { Overall = StageProgress.Processed, CurrentStep = "processed" }, now);
                recordUsage(j, now);
                j.CompleteStage(now);
            },
            cancellationToken);
    }

    /// <summary>
    /// HLS and DASH, each its own checkpoint: HLS cuts the segments and writes its playlists; DASH then writes
    /// its manifest over those segments (fetching them from staging if an earlier attempt cut them). Without
    /// HLS, DASH cuts its own segments under dash/.
    /// </summary>
    private async Task PackageAsync(StageContext context, SourceMetadata source, TranscodeOptions transcode, string output, string attempt, CancellationToken cancellationToken)
    {
        var options = context.Job.Options;
        if (options.Hls && context.Job.Task(JobTaskType.Hls).Status != JobTaskStatus.Completed)
        {
            await PackageStepAsync(context, JobTaskType.Hls, StageProgress.HlsDone, output, attempt, cancellationToken, async progress =>
                Used(context, await engine.PackageAsync(source, transcode with { Hls = true, Dash = false }, output, progress, cancellationToken)).Hls!);
        }

        if (options.Dash && context.Job.Task(JobTaskType.Dash).Status != JobTaskStatus.Completed)
        {
            if (options.Hls)
            {
                var hls = Path.Combine(output, OutputLayout.HlsFolder);
                if (!Directory.Exists(hls))
                {
                    await transfers.DownloadPrefixAsync(context, context.Job.Task(JobTaskType.Hls).Output! + OutputLayout.HlsFolder + "/", hls, cancellationToken);
                }
            }

            await PackageStepAsync(context, JobTaskType.Dash, StageProgress.DashDone, output, attempt, cancellationToken, async progress => options.Hls
                ? await engine.WriteDashOverHlsAsync(source, transcode, output, cancellationToken)
                : Used(context, await engine.PackageAsync(source, transcode with { Hls = false, Dash = true }, output, progress, cancellationToken)).Dash!);
        }
    }

    private static PackageOutput Used(StageContext context, PackageOutput packaged)
    {
        context.Use(cpuSeconds: packaged.ProcessorTime.TotalSeconds);
        return packaged;
    }

    /// <summary>One packaging task: run it, upload what it wrote (and only that), record it as done.</summary>
    private async Task PackageStepAsync(
        StageContext context,
        JobTaskType task,
        double overall,
        string output,
        string attempt,
        CancellationToken cancellationToken,
        Func<IProgress<MediaProgress>, Task<StreamOutput>> package)
    {
        context.CurrentTask = task;
        var before = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).ToHashSet();
        var progress = new Progress<MediaProgress>(p => context.ReportProgress(task, p.Percent, StageProgress.EncodeTo + ((overall - StageProgress.EncodeTo) * p.Percent / 100), p.Step));
        var stream = await package(progress);
        await transfers.UploadAsync(context, output, attempt, cancellationToken, only: path => !before.Contains(path));
        var name = JobJson.Name(task);
        var prefix = OutputKeys.Published(context.Job.ContentId);
        var record = new JobOutput
        {
            Quality = name,
            Key = prefix + stream.Manifest,
            ManifestKey = prefix + stream.Manifest,
            SegmentCount = stream.Variants.Max(v => v.SegmentCount),
            SegmentDurationSeconds = stream.TargetSegmentSeconds,
        };
        await context.ChangeAsync(
            (j, now) =>
            {
                j.CompleteTask(task, attempt, now);
                j.AddOutput(record);
                j.ReportProgress(new JobProgress { Overall = overall, CurrentTask = name, CurrentStep = "packaged" }, now);
            },
            cancellationToken);
    }

    private static bool NeedsPackaging(TranscodeJob job) =>
        (job.Options.Hls && job.Task(JobTaskType.Hls).Status != JobTaskStatus.Completed)
        || (job.Options.Dash && job.Task(JobTaskType.Dash).Status != JobTaskStatus.Completed);
}
