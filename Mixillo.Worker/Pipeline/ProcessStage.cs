using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Media;
using Mixillo.Media.Planning;
using Mixillo.Media.Probing;
using Mixillo.Media.Results;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Process: encode (which cuts the HLS as it goes, published while it runs: <see cref="LiveUpload"/>), then DASH, each
/// checkpointed, so a retry redoes only the tasks that did not complete. Outputs go to the attempt's private staging
/// prefix; publish copies them into view.
/// </summary>
internal sealed class ProcessStage(StageStorage transfers, MediaEngine engine, CostOptions prices, WorkerOptions options, ILogger<LiveUpload> logger) : IStage
{
    public JobStage Stage => JobStage.Process;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var job = context.Job;
        // The encode cuts the HLS: a job whose renditions were encoded before it did (HLS still to cut) is encoded again.
        var encode = Open(job, JobTaskType.Transcode) || (job.Options.Hls && Open(job, JobTaskType.Hls));
        // Only the encode reads the source; packaging an earlier attempt's renditions needs its metadata alone.
        var (input, source) = encode ? await transfers.SourceAsync(context, keep: false, cancellationToken) : (null, await transfers.MetadataAsync(context, cancellationToken));
        var transcode = job.Options.ToTranscodeOptions();
        var output = Path.Combine(context.Scratch, "out");
        var attempt = OutputKeys.Attempt(job.JobId, context.Lease.Token);

        if (encode)
        {
            await EncodeAsync(context, input!, source, transcode, output, attempt, cancellationToken);
        }
        else if (job.Options.Dash && !job.Options.Hls && Open(job, JobTaskType.Dash))
        {
            // Encoded by an earlier attempt, DASH to cut from the renditions: they come back from its staging prefix.
            // (Over HLS, DASH needs only the segments, fetched below.)
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
    /// The encode, with its HLS published as it is cut; then the rest of its files uploaded (the segments already up are
    /// not sent again; the playlists go up again, finished) and its tasks recorded. An encode that fails, is cancelled
    /// or is cut short removes what it had put under its attempt's prefix, its early stream included: nothing will use it.
    /// </summary>
    private async Task EncodeAsync(StageContext context, string input, SourceMetadata source, TranscodeOptions transcode, string output, string attempt, CancellationToken cancellationToken)
    {
        context.CurrentTask = JobTaskType.Transcode;
        var progress = new Progress<MediaProgress>(p => context.ReportProgress(JobTaskType.Transcode, p.Percent, StageProgress.EncodeOverall(p), p.Step));
        var live = MediaEngine.Live(source, transcode, output) is { } hls ? new LiveUpload(transfers, context, hls, output, attempt, logger) : null;
        EncodeOutput encoded;
        try
        {
            encoded = await EncodePublishingAsync(live, () => engine.EncodeAsync(input, source, transcode, output, progress, cancellationToken), cancellationToken);
            context.Use(cpuSeconds: encoded.ProcessorTime.TotalSeconds);
            await transfers.UploadAsync(context, output, attempt, cancellationToken, only: path => live?.Uploaded(path) != true);
        }
        catch
        {
            await transfers.DeleteStagingQuietlyAsync(attempt);
            throw;
        }

        // Not undone if this write fails: it may have committed, and then the job's encode is these files.
        await EncodeRecord.SaveAsync(context, encoded, attempt, cancellationToken);
    }

    /// <summary>The encode, with <paramref name="live"/> publishing its HLS beside it until it ends, however it ends.</summary>
    private async Task<EncodeOutput> EncodePublishingAsync(LiveUpload? live, Func<Task<EncodeOutput>> encode, CancellationToken cancellationToken)
    {
        using var encoding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publishing = live?.RunAsync(options.LiveInterval, encoding.Token) ?? Task.CompletedTask;
        try
        {
            return await encode();
        }
        finally
        {
            await encoding.CancelAsync();
            await publishing;
        }
    }

    /// <summary>
    /// DASH, its own checkpoint: a manifest over the HLS segments (fetched from staging if an earlier attempt cut them),
    /// or, without HLS, segments of its own cut under dash/.
    /// </summary>
    private async Task PackageAsync(StageContext context, SourceMetadata source, TranscodeOptions transcode, string output, string attempt, CancellationToken cancellationToken)
    {
        var options = context.Job.Options;
        if (!options.Dash || !Open(context.Job, JobTaskType.Dash))
        {
            return;
        }

        if (options.Hls)
        {
            var hls = Path.Combine(output, OutputLayout.HlsFolder);
            if (!Directory.Exists(hls))
            {
                await transfers.DownloadPrefixAsync(context, context.Job.Task(JobTaskType.Hls).Output! + OutputLayout.HlsFolder + "/", hls, cancellationToken);
            }
        }

        context.CurrentTask = JobTaskType.Dash;
        var before = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).ToHashSet();
        var progress = new Progress<MediaProgress>(p => context.ReportProgress(JobTaskType.Dash, p.Percent, StageProgress.HlsDone + ((StageProgress.DashDone - StageProgress.HlsDone) * p.Percent / 100), p.Step));
        var packaged = await engine.PackageAsync(source, transcode, output, progress, cancellationToken);
        context.Use(cpuSeconds: packaged.ProcessorTime.TotalSeconds);
        await transfers.UploadAsync(context, output, attempt, cancellationToken, only: path => !before.Contains(path));
        var record = EncodeRecord.Stream(context.Job.ContentId, JobTaskType.Dash, packaged.Dash!);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.CompleteTask(JobTaskType.Dash, attempt, now);
                j.AddOutput(record);
                j.ReportProgress(new JobProgress { Overall = StageProgress.DashDone, CurrentTask = record.Quality, CurrentStep = "packaged" }, now);
            },
            cancellationToken);
    }

    private static bool Open(TranscodeJob job, JobTaskType task) => job.Task(task).Status != JobTaskStatus.Completed;
}
