using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mixillo.Jobs.Events;

namespace Mixillo.Jobs.Model;

/// <summary>
/// A transcode job: its place in the lifecycle, its tasks and everything they produced. Every change of
/// status goes through a method here, which checks it against <see cref="JobStateMachine"/>; stores only
/// load, call and save, so SQLite and PostgreSQL cannot disagree on the rules. The methods also record the
/// job's events (<see cref="JobEventTypes"/>), which the store writes with the change that made them.
/// </summary>
public sealed class TranscodeJob
{
    private SourceFile _sourceFile = null!;

    /// <summary>Progress events come at most this often, besides one at every whole 10 %.</summary>
    public static readonly TimeSpan ProgressEventInterval = TimeSpan.FromSeconds(1);

    private readonly List<RecordedEvent> _events = [];

    public required string JobId { get; init; }

    public required string ContentId { get; init; }

    public required string UserId { get; init; }

    /// <summary>The job's id under the original design's name for a record's id (admin tools read <c>_id</c>).</summary>
    [JsonPropertyName("_id")]
    public string Id => JobId;

    public ContentInfo? Content { get; init; }

    public UserInfo? User { get; init; }

    [JsonInclude]
    public JobStatus Status { get; internal set; }

    [JsonInclude]
    public int Priority { get; internal set; }

    /// <summary>The stage to run next (or running now). Retries resume here.</summary>
    [JsonInclude]
    public JobStage Stage { get; internal set; }

    public required SourceFile SourceFile { get => _sourceFile; init => _sourceFile = value; }

    public JobOptions Options { get; init; } = new();

    public List<JobTask> Tasks { get; init; } = [];

    public List<JobOutput> Outputs { get; init; } = [];

    public List<JobThumbnail> Thumbnails { get; init; } = [];

    [JsonInclude]
    public AnimatedPreview? AnimatedPreview { get; internal set; }

    [JsonInclude]
    public AudioTrack? AudioTrack { get; internal set; }

    [JsonInclude]
    public JobProgress Progress { get; internal set; } = new();

    /// <summary>When the last progress event was recorded: they come at most every <see cref="ProgressEventInterval"/>.</summary>
    [JsonInclude]
    public DateTimeOffset? ProgressEventAt { get; internal set; }

    [JsonInclude]
    public WorkerInfo? Worker { get; internal set; }

    public List<JobError> Errors { get; init; } = [];

    [JsonInclude]
    public int RetryCount { get; internal set; }

    public int MaxRetries { get; init; }

    /// <summary>Set on a processing job by a cancel; its worker sees it at the next heartbeat.</summary>
    [JsonInclude]
    public bool CancelRequested { get; internal set; }

    [JsonInclude]
    public JobCost? EstimatedCost { get; internal set; }

    [JsonInclude]
    public JobCost? ActualCost { get; internal set; }

    [JsonInclude]
    public JobUsage Usage { get; internal set; } = JobUsage.None;

    public DateTimeOffset CreatedAt { get; init; }

    [JsonInclude]
    public DateTimeOffset UpdatedAt { get; internal set; }

    [JsonInclude]
    public DateTimeOffset? QueuedAt { get; internal set; }

    /// <summary>A delayed job (backing off after a failure) is not claimed before this.</summary>
    [JsonInclude]
    public DateTimeOffset? NotBefore { get; internal set; }

    [JsonInclude]
    public DateTimeOffset? StartedAt { get; internal set; }

    [JsonInclude]
    public DateTimeOffset? CompletedAt { get; internal set; }

    /// <summary>
    /// The W3C traceparent of the span that enqueued the job: every stage, on whichever worker, continues that
    /// trace, so one video is one trace from upload to publish. Null when nothing was tracing.
    /// </summary>
    [JsonInclude]
    public string? TraceParent { get; internal set; }

    /// <summary>Fencing token: raised at every claim; only writes carrying the current one are accepted.</summary>
    [JsonIgnore]
    public long LeaseToken { get; internal set; }

    public static TranscodeJob Create(NewJob job, DateTimeOffset now, int maxRetries)
    {
        job.Validate();
        var options = job.Options;
        var tasks = new List<JobTaskType> { JobTaskType.Transcode };
        if (options.ThumbnailCount > 0)
        {
            tasks.Add(JobTaskType.Thumbnail);
        }

        if (options.Hls)
        {
            tasks.Add(JobTaskType.Hls);
        }

        if (options.Dash)
        {
            tasks.Add(JobTaskType.Dash);
        }

        if (options.Preview)
        {
            tasks.Add(JobTaskType.Preview);
        }

        if (options.Audio)
        {
            tasks.Add(JobTaskType.AudioExtract);
        }

        return new TranscodeJob
        {
            JobId = JobIds.New(now),
            ContentId = job.ContentId,
            UserId = job.UserId,
            Content = job.Content,
            User = job.User,
            Status = JobStatus.Pending,
            Priority = job.Priority,
            SourceFile = job.Source,
            Options = options,
            Tasks = [.. tasks.Select(type => new JobTask { TaskId = JobJson.Name(type), Type = type })],
            MaxRetries = maxRetries,
            EstimatedCost = job.EstimatedCost,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public void Queue(DateTimeOffset now)
    {
        Move(JobStatus.Queued, now);
        QueuedAt = now;
        NotBefore = null;
        Record(JobEventTypes.Queued, now, new JsonObject { ["priority"] = Priority, ["stage"] = JobJson.Name(Stage) });
    }

    public void Start(string workerId, string hostname, DateTimeOffset now)
    {
        Move(JobStatus.Processing, now);
        Worker = new WorkerInfo(workerId, hostname, now, now);
        if (StartedAt is null)
        {
            StartedAt = now;
            Record(JobEventTypes.Started, now, new JsonObject { ["workerId"] = workerId, ["hostname"] = hostname });
        }

        LeaseToken++;
        Record(JobEventTypes.Stage, now, new JsonObject { ["stage"] = JobJson.Name(Stage), ["attempt"] = RetryCount + 1 });
    }

    public void Heartbeat(DateTimeOffset now)
    {
        if (Status != JobStatus.Processing || Worker is null)
        {
            throw new IllegalTransitionException(JobId, Status, JobStatus.Processing);
        }

        Worker = Worker with { LastHeartbeat = now };
        UpdatedAt = now;
    }

    public void Complete(DateTimeOffset now)
    {
        Move(JobStatus.Completed, now);
        CompletedAt = now;
        CancelRequested = false;
        Progress = Progress with { Overall = 100, CurrentStep = null };
        Record(JobEventTypes.Completed, now, new JsonObject { ["playback"] = JsonSerializer.SerializeToNode(Playback.Of(this), JobJson.Options) });
    }

    /// <summary>
    /// The running job's progress; a <see cref="JobEventTypes.Progress"/> event when a whole 10 % was crossed or
    /// <see cref="ProgressEventInterval"/> has passed since the last one.
    /// </summary>
    public void ReportProgress(JobProgress progress, DateTimeOffset now)
    {
        var crossed = Math.Floor(progress.Overall / 10) > Math.Floor(Progress.Overall / 10);
        Progress = progress;
        UpdatedAt = now;
        if (Status == JobStatus.Processing && (crossed || ProgressEventAt is not { } last || now - last >= ProgressEventInterval))
        {
            ProgressEventAt = now;
            Record(JobEventTypes.Progress, now, new JsonObject { ["overall"] = progress.Overall, ["currentTask"] = progress.CurrentTask, ["currentStep"] = progress.CurrentStep });
        }
    }

    /// <summary>The events recorded since the last call, in order; the store writes them with the change.</summary>
    public IReadOnlyList<RecordedEvent> TakeEvents()
    {
        var taken = _events.ToList();
        _events.Clear();
        return taken;
    }

    /// <summary>
    /// Acknowledges the running stage: the job goes back to the queue for the next stage, or completes after
    /// publish. Returns true when the job is complete.
    /// </summary>
    public bool CompleteStage(DateTimeOffset now)
    {
        // A cancel that came while the stage ran ends the job here rather than riding on to the next stage.
        if (CancelRequested && Stage != JobStage.Publish)
        {
            Cancelled(now);
            return false;
        }

        if (Stage == JobStage.Publish)
        {
            Complete(now);
            return true;
        }

        Move(JobStatus.Queued, now);
        Stage++;
        QueuedAt = now;
        NotBefore = null;
        Worker = null;
        return false;
    }

    /// <summary>
    /// Records the error; a retryable one with retries left goes back to the queue behind a backoff,
    /// anything else fails the job. Returns true when the job will be retried.
    /// </summary>
    /// <param name="jitter">A number in [0, 1) that spreads the backoff.</param>
    public bool Fail(JobError error, DateTimeOffset now, double jitter)
    {
        Errors.Add(error);
        if (error.Retryable && RetryCount < MaxRetries && !CancelRequested)
        {
            Move(JobStatus.Queued, now);
            NotBefore = now + Backoff.Delay(RetryCount, jitter);
            RetryCount++;
            QueuedAt = now;
            Worker = null;
            Record(JobEventTypes.Retried, now, new JsonObject
            {
                ["automatic"] = true,
                ["retryCount"] = RetryCount,
                ["notBefore"] = NotBefore,
                ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Error },
            });
            return true;
        }

        Move(JobStatus.Failed, now);
        CompletedAt = now;
        Record(JobEventTypes.Failed, now, new JsonObject { ["code"] = error.Code, ["message"] = error.Error, ["retryable"] = error.Retryable });
        return false;
    }

    /// <summary>Back to the queue unharmed (a worker shutting down): not a failure, not a retry.</summary>
    public void Release(DateTimeOffset now)
    {
        if (CancelRequested)
        {
            Cancelled(now);
            return;
        }

        Move(JobStatus.Queued, now);
        QueuedAt = now;
        NotBefore = null;
        Worker = null;
        Record(JobEventTypes.Queued, now, new JsonObject { ["priority"] = Priority, ["stage"] = JobJson.Name(Stage) });
    }

    /// <summary>Cancels a job that is waiting; asks the worker of a running job to stop.</summary>
    public CancelOutcome Cancel(DateTimeOffset now)
    {
        if (Status == JobStatus.Processing)
        {
            CancelRequested = true;
            UpdatedAt = now;
            return CancelOutcome.Requested;
        }

        Move(JobStatus.Cancelled, now);
        CompletedAt = now;
        Record(JobEventTypes.Cancelled, now, []);
        return CancelOutcome.Cancelled;
    }

    /// <summary>The worker has stopped a running job (at a cancel request, or on its own).</summary>
    public void Cancelled(DateTimeOffset now)
    {
        Move(JobStatus.Cancelled, now);
        CompletedAt = now;
        Worker = null;
        Record(JobEventTypes.Cancelled, now, []);
    }

    /// <summary>An operator's retry of a failed job: re-queued (at <paramref name="priority"/>) with its failed tasks reset.</summary>
    public void Retry(DateTimeOffset now, int priority)
    {
        JobStateMachine.Ensure(JobId, Status, JobStatus.Queued);
        if (RetryCount >= MaxRetries)
        {
            throw new RetriesExhaustedException(JobId, MaxRetries);
        }

        RetryCount++;
        CancelRequested = false;
        Priority = Math.Clamp(priority, NewJob.MinPriority, NewJob.MaxPriority);
        foreach (var task in Tasks.Where(t => t.Status == JobTaskStatus.Failed))
        {
            ResetTask(task.Type);
        }

        CompletedAt = null;
        Record(JobEventTypes.Retried, now, new JsonObject { ["automatic"] = false, ["retryCount"] = RetryCount, ["priority"] = Priority });
        Queue(now);
    }

    public JobTask Task(JobTaskType type) =>
        Tasks.FirstOrDefault(t => t.Type == type) ?? throw new KeyNotFoundException($"Job {JobId} has no {JobJson.Name(type)} task.");

    /// <summary>Adds a task the job did not have (DASH asked for later, say); an existing one is returned as it is.</summary>
    public JobTask AddTask(JobTaskType type)
    {
        if (Tasks.FirstOrDefault(t => t.Type == type) is { } existing)
        {
            return existing;
        }

        var task = new JobTask { TaskId = JobJson.Name(type), Type = type };
        Tasks.Add(task);
        return task;
    }

    /// <summary>Progress of a task (0-100); the first report marks it processing and stamps its start.</summary>
    public void UpdateTask(JobTaskType type, double progress, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Processing;
        task.StartedAt ??= now;
        task.Progress = Math.Clamp(progress, task.Progress, 100);
        task.Error = null;
    }

    public void CompleteTask(JobTaskType type, string? output, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Completed;
        task.StartedAt ??= now;
        task.CompletedAt = now;
        task.Progress = 100;
        task.Output = output;
        task.Error = null;
    }

    public void FailTask(JobTaskType type, string error, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Failed;
        task.CompletedAt = now;
        task.Error = error;
    }

    /// <summary>A task with nothing to do (no audio to extract from a silent source, say).</summary>
    public void SkipTask(JobTaskType type, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Skipped;
        task.CompletedAt = now;
    }

    /// <summary>Makes a failed or completed task run again (an operator's retry of one task); the others keep their results.</summary>
    public void ResetTask(JobTaskType type)
    {
        var task = Task(type);
        task.Status = JobTaskStatus.Pending;
        task.Progress = 0;
        task.StartedAt = null;
        task.CompletedAt = null;
        task.Error = null;
        task.Output = null;
        task.RetryCount++;
    }

    /// <summary>Records a rendition or stream manifest; a second one for the same quality replaces the first.</summary>
    public void AddOutput(JobOutput output)
    {
        Outputs.RemoveAll(o => o.Quality == output.Quality);
        Outputs.Add(output);
    }

    /// <summary>Records a thumbnail; one at the same key replaces the earlier one.</summary>
    public void AddThumbnail(JobThumbnail thumbnail)
    {
        Thumbnails.RemoveAll(t => t.Key == thumbnail.Key);
        Thumbnails.Add(thumbnail);
    }

    /// <summary>Records what probing the source found, and the estimate from it unless the job already has one.</summary>
    public void RecordSource(SourceInfo metadata, long sizeBytes, JobCost estimate)
    {
        _sourceFile = _sourceFile with { Metadata = metadata, SizeBytes = sizeBytes };
        EstimatedCost ??= estimate;
    }

    public void RecordPreview(AnimatedPreview preview) => AnimatedPreview = preview;

    public void RecordAudio(AudioTrack audio) => AudioTrack = audio;

    /// <summary>Adds a stage's usage to the job's, and prices the total.</summary>
    public void AddUsage(JobUsage usage, Func<JobUsage, JobCost> price)
    {
        Usage = Usage.Add(usage.CpuSeconds, usage.BytesRead, usage.BytesWritten);
        ActualCost = price(Usage);
    }

    private void EnsureOpen(JobTask task)
    {
        if (task.Status is JobTaskStatus.Completed or JobTaskStatus.Skipped)
        {
            throw new InvalidOperationException($"Task {task.TaskId} of job {JobId} is {JobJson.Name(task.Status)}; reset it before running it again.");
        }
    }

    private void Record(string type, DateTimeOffset time, JsonObject data) => _events.Add(new RecordedEvent(type, time, data));

    private void Move(JobStatus to, DateTimeOffset now)
    {
        JobStateMachine.Ensure(JobId, Status, to);
        Status = to;
        UpdatedAt = now;
    }
}

public enum CancelOutcome
{
    /// <summary>The job was waiting and is now cancelled.</summary>
    Cancelled,

    /// <summary>The job is running; its worker will stop it.</summary>
    Requested,
}

/// <summary>An operator's retry of a job that has used all its retries (the API answers 409).</summary>
public sealed class RetriesExhaustedException(string jobId, int maxRetries)
    : InvalidOperationException($"Job {jobId} has used all {maxRetries} retries.")
{
    public const string Code = "retries_exhausted";

    public string JobId { get; } = jobId;
}
