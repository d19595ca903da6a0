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
