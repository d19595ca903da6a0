using Microsoft.Extensions.Logging;
using Mixillo.Jobs;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Media.Planning;
using Mixillo.Media.Probing;
using Mixillo.Media.Results;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Runs one claimed stage of a job, from storage to storage:
/// fetch (source to scratch, probe, validate, record the metadata), process (encode, then package, each
/// checkpointed: a retry redoes only the tasks that did not complete; outputs go to the attempt's private
/// staging prefix), publish (outputs copied under videos/{contentId}/, manifests last; the job completes).
/// Each stage ends by acknowledging it, which queues the job for the next one.
/// </summary>
public sealed partial class StageRunner(
    IJobStore store,
    IObjectStorage storage,
    MediaEngine engine,
    WorkerOptions options,
    QueueOptions queue,
    CostOptions prices,
    WorkerPulse pulse,
    TimeProvider time,
    ILogger<StageRunner> logger)
{
    // DESIGN.md's overall progress: metadata 5 %, transcode 10-70 %, HLS 75 %, DASH 80 %, then 95 % and 100 % at publish.
    private const double Fetched = 5;
    private const double EncodeFrom = 10;
    private const double EncodeTo = 70;
    private const double HlsDone = 75;
    private const double DashDone = 80;
    private const double Processed = 95;

    /// <summary>
    /// The job's overall progress while the engine encodes: the encode's percent spread over 10-70 %. Measuring the
    /// renditions follows the encode and counts its own percent from 0 again, so it stays at the encode's end.
    /// </summary>
    internal static double EncodeOverall(MediaProgress progress) =>
        EncodeFrom + ((EncodeTo - EncodeFrom) * (progress.Step == MediaProgress.Measure ? 100 : progress.Percent) / 100);

    private static readonly JobTaskType[] EncodeTasks = [JobTaskType.Transcode, JobTaskType.Thumbnail, JobTaskType.Preview, JobTaskType.AudioExtract];

    /// <param name="hardStop">Cancelled when the host's shutdown grace runs out: the stage is released, not failed.</param>
    public async Task RunAsync(TranscodeJob job, JobLease lease, CancellationToken hardStop)
    {
        var stageName = JobJson.Name(job.Stage);
        var started = time.GetTimestamp();
        using var activity = StageTrace.Start(job, lease);
        using var busy = pulse.Busy();
        if (StageTrace.QueueWait(job) is { } wait)
        {
            WorkerTelemetry.QueueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>(JobsTelemetry.Stage, stageName));
        }

        var scratch = Path.Combine(options.ScratchRoot, lease.WorkerId, $"{job.JobId}-{lease.Token}");
        var context = new StageContext(job, lease, scratch, store);
        using var stage = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        var watch = new StageWatch();
        var watching = WatchAsync(context, watch, stage);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["jobId"] = job.JobId, ["contentId"] = job.ContentId, ["stage"] = stageName });
        string outcome;
        try
        {
            Directory.CreateDirectory(scratch);
            LogStarting(job.Stage, lease.Token);
            var run = job.Stage switch
            {
                JobStage.Fetch => FetchAsync(context, stage.Token),
                JobStage.Process => ProcessAsync(context, stage.Token),
                _ => PublishAsync(context, stage.Token),
            };
            await run;
            outcome = "completed";
            LogFinished(job.Stage);
        }
        catch (Exception ex) when (watch.LeaseLost || ex is LeaseLostException)
        {
            outcome = "lease_lost";
            LogLeaseLost(lease.Token);
        }
        catch (OperationCanceledException) when (watch.CancelRequested)
        {
            outcome = "cancelled";
            await EndQuietlyAsync(context, (j, now) => j.Cancelled(now));
            await DeleteStagingQuietlyAsync(job.JobId);
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
            DeleteScratch(scratch);
        }

        WorkerTelemetry.StageDuration.Record(
            time.GetElapsedTime(started).TotalSeconds, new(JobsTelemetry.Stage, stageName), new(WorkerTelemetry.Outcome, outcome));
        activity?.SetTag(WorkerTelemetry.Outcome, outcome);
        WorkerTelemetry.RecordFinished(context.Job);
    }

    private async Task FetchAsync(StageContext context, CancellationToken cancellationToken)
    {
        context.CurrentTask = JobTaskType.Transcode;
        var (_, source) = await SourceAsync(context, cancellationToken);
        var job = context.Job;
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
                j.SourceFile = j.SourceFile with { Metadata = info, SizeBytes = source.SizeBytes };
                j.EstimatedCost ??= CostModel.Estimate(source.DurationSeconds, source.SizeBytes, j.Options, prices);
                j.ReportProgress(new JobProgress { Overall = Fetched, CurrentTask = JobJson.Name(JobTaskType.Transcode), CurrentStep = "fetched" }, now);
                recordUsage(j, now);
                j.CompleteStage(now);
            },
            cancellationToken);
    }

    private async Task ProcessAsync(StageContext context, CancellationToken cancellationToken)
    {
        var (input, source) = await SourceAsync(context, cancellationToken);
        var job = context.Job;
        var transcode = job.Options.ToTranscodeOptions();
        var output = Path.Combine(context.Scratch, "out");
        var attempt = OutputKeys.Attempt(job.JobId, context.Lease.Token);

        if (job.Task(JobTaskType.Transcode).Status != JobTaskStatus.Completed)
        {
            context.CurrentTask = JobTaskType.Transcode;
            var progress = new Progress<MediaProgress>(p => context.ReportProgress(JobTaskType.Transcode, p.Percent, EncodeOverall(p), p.Step));
            var encoded = await engine.EncodeAsync(input, source, transcode, output, progress, cancellationToken);
            context.Use(cpuSeconds: encoded.ProcessorTime.TotalSeconds);
            await UploadAsync(context, output, attempt, cancellationToken);
            await RecordEncodeAsync(context, encoded, attempt, cancellationToken);
        }
        else if (NeedsPackaging(context.Job))
        {
            // Encoded by an earlier attempt: the renditions come back from its staging prefix.
            var from = context.Job.Task(JobTaskType.Transcode).Output!;
            foreach (var rendition in EncodePlannerFor(source, transcode))
            {
                await DownloadAsync(context, from + rendition.FileName, Path.Combine(output, rendition.FileName), cancellationToken);
            }
        }

        await PackageAsync(context, source, transcode, output, attempt, cancellationToken);
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.ReportProgress(new JobProgress { Overall = Processed, CurrentStep = "processed" }, now);
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
            await PackageStepAsync(context, JobTaskType.Hls, HlsDone, output, attempt, cancellationToken, async progress =>
                Used(context, await engine.PackageAsync(source, transcode with { Hls = true, Dash = false }, output, progress, cancellationToken)).Hls!);
        }

        if (options.Dash && context.Job.Task(JobTaskType.Dash).Status != JobTaskStatus.Completed)
        {
            if (options.Hls)
            {
                var hls = Path.Combine(output, OutputLayout.HlsFolder);
                if (!Directory.Exists(hls))
                {
                    await DownloadPrefixAsync(context, context.Job.Task(JobTaskType.Hls).Output! + OutputLayout.HlsFolder + "/", hls, cancellationToken);
                }
            }

            await PackageStepAsync(context, JobTaskType.Dash, DashDone, output, attempt, cancellationToken, async progress => options.Hls
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
        var progress = new Progress<MediaProgress>(p => context.ReportProgress(task, p.Percent, EncodeTo + ((overall - EncodeTo) * p.Percent / 100), p.Step));
        var stream = await package(progress);
        await UploadAsync(context, output, attempt, cancellationToken, only: path => !before.Contains(path));
        var name = JobJson.Name(task);
        var record = StreamRecord(name, OutputKeys.Published(context.Job.ContentId), stream);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.CompleteTask(task, attempt, now);
                j.AddOutput(record);
                j.ReportProgress(new JobProgress { Overall = overall, CurrentTask = name, CurrentStep = "packaged" }, now);
            },
            cancellationToken);
    }

    private async Task PublishAsync(StageContext context, CancellationToken cancellationToken)
    {
        var job = context.Job;
        var target = OutputKeys.Published(job.ContentId);
        // Every completed task's attempt prefix, oldest first, so a later attempt's file wins.
        var prefixes = job.Tasks
            .Where(t => t.Status == JobTaskStatus.Completed && t.Output is not null)
            .OrderBy(t => t.CompletedAt)
            .Select(t => t.Output!)
            .Distinct()
            .ToList();
        var copies = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var prefix in prefixes)
        {
            await foreach (var stored in storage.ListAsync(prefix, cancellationToken))
            {
                copies[stored.Key[prefix.Length..]] = stored;
            }
        }

        // Manifests last: until they exist, no player finds a half-published stream.
        foreach (var (relative, stored) in copies.OrderBy(c => ContentTypes.IsManifest(c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            await storage.CopyAsync(stored.Key, target + relative, cancellationToken);
            context.Use(bytesCopied: stored.SizeBytes);
        }

        // Every copy is done: staging goes before the job says completed, so nobody sees a completed job with
        // staging left. A crash between the two re-runs publish, which finds nothing to copy and completes.
        await DeleteStagingQuietlyAsync(job.JobId);
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                recordUsage(j, now);
                j.CompleteStage(now);
            },
            cancellationToken);
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

    /// <summary>Staging is garbage once a job is published or cancelled; storage being away must not fail the job for it.</summary>
    private async Task DeleteStagingQuietlyAsync(string jobId)
    {
        try
        {
            await storage.DeletePrefixAsync(OutputKeys.Staging(jobId), CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsTransient(ex) || ex is Amazon.Runtime.AmazonServiceException)
        {
            LogStagingLeft(jobId, ex.Message);
        }
    }

    /// <summary>The source, downloaded into scratch and probed (both stages that need it do this: they may run on different machines).</summary>
    private async Task<(string Path, SourceMetadata Source)> SourceAsync(StageContext context, CancellationToken cancellationToken)
    {
        var key = context.Job.SourceFile.Key;
        var path = Path.Combine(context.Scratch, "source" + Path.GetExtension(key));
        try
        {
            await DownloadAsync(context, key, path, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new MediaException(SourceMissing, $"The source '{key}' is not in storage.");
        }

        return (path, await engine.ProbeAsync(path, cancellationToken));
    }

    private async Task RecordEncodeAsync(StageContext context, EncodeOutput encoded, string attempt, CancellationToken cancellationToken)
    {
        var prefix = OutputKeys.Published(context.Job.ContentId);
        await context.ChangeAsync(
            (j, now) =>
            {
                j.CompleteTask(JobTaskType.Transcode, attempt, now);
                foreach (var file in encoded.Renditions)
                {
                    j.AddOutput(new JobOutput
                    {
                        Quality = file.Name,
                        Key = prefix + file.Path,
                        SizeBytes = file.SizeBytes,
                        BitrateBps = file.BitrateBps,
                        Width = file.Width ?? 0,
                        Height = file.Height ?? 0,
                        DurationSeconds = file.DurationSeconds,
                        Codec = file.VideoCodec,
                    });
                }

                Finish(j, JobTaskType.Thumbnail, encoded.Thumbnails.Count > 0, now, attempt, () =>
                {
                    foreach (var thumbnail in encoded.Thumbnails)
                    {
                        j.AddThumbnail(new JobThumbnail(prefix + thumbnail.Path, thumbnail.OffsetSeconds, thumbnail.Width, thumbnail.Height));
                    }
                });
                Finish(j, JobTaskType.Preview, encoded.Preview is not null, now, attempt, () =>
                    j.AnimatedPreview = new AnimatedPreview(prefix + encoded.Preview!.Path, encoded.Preview.DurationSeconds, encoded.Preview.Width ?? 0, encoded.Preview.Height ?? 0));
                Finish(j, JobTaskType.AudioExtract, encoded.Audio is not null, now, attempt, () =>
                    j.AudioTrack = new AudioTrack(prefix + encoded.Audio!.Path, (int)(encoded.Audio.BitrateBps / 1000), encoded.Audio.SampleRate ?? 0, encoded.Audio.DurationSeconds));
                j.ReportProgress(new JobProgress { Overall = EncodeTo, CurrentTask = "transcode", CurrentStep = "encoded" }, now);
            },
            cancellationToken);
    }

    /// <summary>A task of the encode: completed with its output, or skipped when there was nothing to make (a silent source has no MP3).</summary>
    private static void Finish(TranscodeJob job, JobTaskType type, bool produced, DateTimeOffset now, string attempt, Action record)
    {
        if (job.Tasks.All(t => t.Type != type))
        {
            return;
        }

        if (produced)
        {
            record();
            job.CompleteTask(type, attempt, now);
        }
        else
        {
            job.SkipTask(type, now);
        }
    }

    private async Task<JobError> FailAsync(StageContext context, Exception exception)
    {
        var error = Classify(exception, context.CurrentTask, time.GetUtcNow());
        LogFailed(exception, error.Code, error.Retryable, (exception as MediaException)?.Diagnostics);
        WorkerTelemetry.Failures.Add(
            1, new(WorkerTelemetry.ErrorType, error.Code), new(JobsTelemetry.Stage, JobJson.Name(context.Job.Stage)), new("retryable", error.Retryable));
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

    /// <summary>Invalid input fails at once; anything else may pass on another attempt.</summary>
    internal static JobError Classify(Exception exception, JobTaskType? task, DateTimeOffset now)
    {
        var (code, retryable) = exception switch
        {
            MediaException media => (media.Code, !media.IsInputError && media.Code != SourceMissing),
            InvalidStorageKeyException => (InvalidStorageKeyException.Code, false),
            _ when StorageErrors.IsTransient(exception) => (StorageErrors.UnavailableCode, true),
            _ => ("worker_error", true),
        };
        return new JobError
        {
            Task = task is { } t ? JobJson.Name(t) : "job",
            Code = code,
            Error = exception.Message,
            Timestamp = now,
            Retryable = retryable,
        };
    }

    public const string SourceMissing = "source_missing";

    private static bool NeedsPackaging(TranscodeJob job) =>
        (job.Options.Hls && job.Task(JobTaskType.Hls).Status != JobTaskStatus.Completed)
        || (job.Options.Dash && job.Task(JobTaskType.Dash).Status != JobTaskStatus.Completed);

    private static IReadOnlyList<Rendition> EncodePlannerFor(SourceMetadata source, TranscodeOptions transcode) =>
        LadderPlanner.Plan(source.Video.Width, source.Video.Height, source.Video.FramesPerSecond, transcode.Ladder);

    private static JobOutput StreamRecord(string quality, string prefix, StreamOutput stream) => new()
    {
        Quality = quality,
        Key = prefix + stream.Manifest,
        ManifestKey = prefix + stream.Manifest,
        SegmentCount = stream.Variants.Max(v => v.SegmentCount),
        SegmentDurationSeconds = stream.TargetSegmentSeconds,
    };

    private async Task UploadAsync(StageContext context, string folder, string prefix, CancellationToken cancellationToken, Func<string, bool>? only = null)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(only ?? (_ => true)).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            await storage.PutFileAsync(prefix + relative, file, cancellationToken);
            context.Use(bytesWritten: new FileInfo(file).Length);
        }
    }

    private async Task DownloadAsync(StageContext context, string key, string path, CancellationToken cancellationToken)
    {
        await storage.GetFileAsync(key, path, cancellationToken);
        context.Use(bytesRead: new FileInfo(path).Length);
    }

    private async Task DownloadPrefixAsync(StageContext context, string prefix, string folder, CancellationToken cancellationToken)
    {
        await foreach (var stored in storage.ListAsync(prefix, cancellationToken))
        {
            await DownloadAsync(context, stored.Key, Path.Combine(folder, stored.Key[prefix.Length..]), cancellationToken);
        }
    }

    /// <summary>Heartbeats and progress writes while the stage runs; a cancel request or a lost lease stops the stage.</summary>
    private async Task WatchAsync(StageContext context, StageWatch watch, CancellationTokenSource stage)
    {
        var lastBeat = DateTimeOffset.UtcNow;
        while (!stage.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.ProgressInterval, stage.Token);
                var wrote = await context.FlushProgressAsync(stage.Token);
                var cancelRequested = context.Job.CancelRequested;
                if (DateTimeOffset.UtcNow - lastBeat >= queue.HeartbeatInterval)
                {
                    lastBeat = DateTimeOffset.UtcNow;
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
                    watch.CancelRequested = true;
                    await stage.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (LeaseLostException)
            {
                watch.LeaseLost = true;
                await stage.CancelAsync();
            }
            catch (Exception ex) when (StoreErrors.IsTransient(ex))
            {
                // The store is away for a moment; the stage goes on and the next beat tries again.
                LogHeartbeatFailed(ex.Message);
            }
        }
    }

    private static void DeleteScratch(string scratch)
    {
        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    private sealed class StageWatch
    {
        public volatile bool CancelRequested;
        public volatile bool LeaseLost;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staging of {JobId} could not be removed ({Reason})")]
    private partial void LogStagingLeft(string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);
}
