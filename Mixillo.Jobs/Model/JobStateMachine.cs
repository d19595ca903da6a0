using Mixillo.Errors;

namespace Mixillo.Jobs.Model;

/// <summary>Which status may follow which. Everything else is refused with <see cref="IllegalTransitionException"/>.</summary>
public static class JobStateMachine
{
    private static readonly Dictionary<JobStatus, JobStatus[]> Allowed = new()
    {
        [JobStatus.Pending] = [JobStatus.Queued, JobStatus.Cancelled],
        [JobStatus.Queued] = [JobStatus.Processing, JobStatus.Cancelled],
        // Back to queued: a retry after a retryable failure, a release at shutdown, a stuck job recovered.
        [JobStatus.Processing] = [JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Queued],
        // An operator's retry of a failed job.
        [JobStatus.Failed] = [JobStatus.Queued],
        [JobStatus.Completed] = [],
        [JobStatus.Cancelled] = [],
    };

    public static bool CanMove(JobStatus from, JobStatus to) => Allowed[from].Contains(to);

    public static void Ensure(string jobId, JobStatus from, JobStatus to)
    {
        if (!CanMove(from, to))
        {
            throw new IllegalTransitionException(jobId, from, to);
        }
    }

    public static bool IsFinal(JobStatus status) => Allowed[status].Length == 0;
}

/// <summary>A change the job's status does not allow (the API answers 409).</summary>
public sealed class IllegalTransitionException(string jobId, JobStatus from, JobStatus to)
    : InvalidOperationException($"Job {jobId} is {Name(from)} and cannot become {Name(to)}."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.IllegalTransition;

    public string JobId { get; } = jobId;

    public JobStatus From { get; } = from;

    public JobStatus To { get; } = to;

    private static string Name(JobStatus status) => status.ToString().ToLowerInvariant();
}
