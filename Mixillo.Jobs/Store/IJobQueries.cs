using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>The reads for users and admins: a job, lists, counts, stats, a waiting job's place, and what cleaning may remove.</summary>
public interface IJobQueries
{
    Task<TranscodeJob?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The job of a content (the newest, should an older version of the service have let two in), or null.</summary>
    Task<TranscodeJob?> GetByContentAsync(string contentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<TranscodeJob>> StuckAsync(CancellationToken cancellationToken);

    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken);

    Task<QueueCounts> CountAsync(CancellationToken cancellationToken);

    /// <summary>The user's jobs that are not finished: pending, queued or processing.</summary>
    Task<long> CountActiveAsync(string userId, CancellationToken cancellationToken);

    /// <summary>One small read of the schema: throws when the store does not answer or holds no tables (health checks).</summary>
    Task PingAsync(CancellationToken cancellationToken);

    Task<JobStats> StatsAsync(double hours, CancellationToken cancellationToken);

    Task<QueuePosition> PositionAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> jobs that cleaning removes, oldest first: failed and cancelled jobs that
    /// finished before <paramref name="finishedBefore"/>. Completed jobs are never among them: a completed job is
    /// the record of published content.
    /// </summary>
    Task<IReadOnlyList<TranscodeJob>> CleanableAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken);
}
