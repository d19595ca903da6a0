// Over 300 lines on purpose: the job's lifecycle (create, queue, claim, stage, fail, retry, cancel, release) is one
// state machine with its events, read in one place. Its tasks and results are in TranscodeJob.Work.cs.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mixillo.Jobs.Events;
using Mixillo.Media.Probing;

namespace Mixillo.Jobs.Model;

/// <summary>
/// A transcode job: its place in the lifecycle, its tasks and everything they produced. Every change of
/// status goes through a method here, which checks it against <see cref="JobStateMachine"/>; stores only
/// load, call and save, so SQLite and PostgreSQL cannot disagree on the rules. The methods also record the
/// job's events (<see cref="JobEventTypes"/>), which the store writes with the change that made them.
/// </summary>
public sealed partial class TranscodeJob
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

    /// <summary>What probing the source found, whole (from <c>complete</c>, or the fetch stage for a job enqueued by an admin).</summary>
    [JsonInclude]
    public SourceMetadata? Probe { get; internal set; }

    [JsonInclude]
    public JobUsage Usage { get; internal set; } = JobUsage.None;

    /// <summary>The HLS published while the encode runs, once every rendition has begun (<see cref="MarkPlayable"/>); null before.</summary>
    [JsonInclude]
    public LiveStream? Live { get; internal set; }

    public DateTimeOffset CreatedAt { get; init; }

    [JsonInclude]
    public DateTimeOffset UpdatedAt { get; internal set; }

    [JsonInclude]
    public DateTimeOffset? QueuedAt { get; internal set; }

    /// <summary>A delayed job (backing off after a failure) is not claimed before this.</summary>
    [JsonInclude]
    public DateTimeOffset? NotBefore { get; internal set; }

    /// <summary>
    /// The worker that fetched the source and keeps it: until <see cref="NotBefore"/> only it may claim the next stage
    /// (see <see cref="HoldFor"/>).
    /// </summary>
    [JsonInclude]
    public string? HeldFor { get; internal set; }

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
            Probe = job.Probe,
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
        NotBefore = null;
        HeldFor = null;
        if (StartedAt is null)
        {
            StartedAt = now;
            Record(JobEventTypes.Started, now, new JsonObject { ["workerId"] = workerId, ["hostname"] = hostname });
        }

        LeaseToken++;
        EndUnfinishedLive();
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

    /// <summary>
    /// The running encode's HLS is out for every rendition (master, init and first segment under the attempt's prefix):
    /// the content plays from <see cref="LiveStream.Hls"/> while the job goes on. Once per attempt; a
    /// <see cref="JobEventTypes.Playable"/> event says so.
    /// </summary>
    public void MarkPlayable(DateTimeOffset now)
    {
        if (Status != JobStatus.Processing || Stage != JobStage.Process)
        {
            throw new InvalidOperationException($"Job {JobId} is not encoding ({JobJson.Name(Stage)}, {Status}).");
        }

        if (Live?.Lease == LeaseToken)
        {
            return;
        }

        Live = new LiveStream(LeaseToken, now);
        UpdatedAt = now;
        Record(JobEventTypes.Playable, now, new JsonObject { ["lease"] = LeaseToken, ["playback"] = new JsonObject { ["hls"] = Live.Hls(ContentId) } });
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
    /// Gives <paramref name="workerId"/> the first claim on the stage just queued, until <paramref name="until"/>:
    /// the worker that fetched the source keeps it in scratch and takes the next stage without downloading it again.
    /// After that any worker may claim it, as it may any queued job.
    /// </summary>
    public void HoldFor(string workerId, DateTimeOffset until)
    {
        if (Status != JobStatus.Queued)
        {
            throw new IllegalTransitionException(JobId, Status, JobStatus.Queued);
        }

        HeldFor = workerId;
        NotBefore = until;
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
            EndUnfinishedLive();
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

        EndUnfinishedLive();
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

    /// <summary>
    /// A stream whose encode did not finish goes as the attempt that cut it stops: the encode will run again under a new
    /// lease and start a new stream, and a player meanwhile gets a 404 rather than a playlist that no longer grows.
    /// </summary>
    private void EndUnfinishedLive()
    {
        if (Live is not null && Tasks.Any(t => t.Type is JobTaskType.Transcode or JobTaskType.Hls && t.Status != JobTaskStatus.Completed))
        {
            Live = null;
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
