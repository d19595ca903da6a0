namespace Mixillo.Jobs.Events;

/// <summary>The kinds of job event, by their names on the wire.</summary>
public static class JobEventTypes
{
    /// <summary>Waiting for a worker: created, released by a stopping worker, or retried by an operator.</summary>
    public const string Queued = "job.queued";

    /// <summary>A worker took the job for the first time.</summary>
    public const string Started = "job.started";

    /// <summary>A worker began a stage (<c>fetch</c>, <c>process</c> or <c>publish</c>); data: stage, attempt.</summary>
    public const string Stage = "job.stage";

    /// <summary>Progress of a running job, at most once a second and at every whole 10 %; data: overall, currentTask, currentStep.</summary>
    public const string Progress = "job.progress";

    /// <summary>
    /// The encode's HLS plays while the job goes on (every rendition's first segment is out); data: lease, playback.hls
    /// (the live master, under <c>/media/live/</c>). Again if the encode has to start over, with a new URL.
    /// </summary>
    public const string Playable = "job.playable";

    /// <summary>Published; data: playback, as <c>GET /api/content/{id}</c> shows it (URLs through the media route, which do not expire).</summary>
    public const string Completed = "job.completed";

    /// <summary>Failed for good; data: code, message, retryable.</summary>
    public const string Failed = "job.failed";

    /// <summary>Cancelled, waiting or running.</summary>
    public const string Cancelled = "job.cancelled";

    /// <summary>Retried: by an operator, or by itself after a retryable error (data says which, with the error and when it runs again).</summary>
    public const string Retried = "job.retried";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Queued, Started, Stage, Progress, Playable, Completed, Failed, Cancelled, Retried], StringComparer.Ordinal);

    /// <summary>The job ended: nothing follows unless an operator retries it.</summary>
    public static bool IsFinal(string type) => type is Completed or Failed or Cancelled;
}
