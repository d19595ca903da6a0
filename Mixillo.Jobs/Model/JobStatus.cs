namespace Mixillo.Jobs.Model;

/// <summary>pending -> queued -> processing -> completed | failed | cancelled (see <see cref="JobStateMachine"/>).</summary>
public enum JobStatus
{
    Pending,
    Queued,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>
/// The stages of a job, each claimed, checkpointed and acknowledged on its own: between stages the job is
/// queued again, so no lease spans the whole job and workers can be told which stages they take.
/// </summary>
public enum JobStage
{
    /// <summary>Source from storage to scratch; probe; validate; record the metadata.</summary>
    Fetch,

    /// <summary>The media engine; outputs to the job's staging prefix.</summary>
    Process,

    /// <summary>Outputs made visible under videos/{contentId}/; the job completes.</summary>
    Publish,
}

public enum JobTaskStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Skipped,
}

/// <summary>The tasks of a job; their JSON names are the product's words (<c>audio_extract</c>).</summary>
public enum JobTaskType
{
    Transcode,
    Thumbnail,
    Hls,
    Dash,
    AudioExtract,
    Preview,
}
