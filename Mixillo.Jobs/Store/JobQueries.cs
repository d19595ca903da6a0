using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

public enum JobSort
{
    CreatedAt,
    UpdatedAt,
    CompletedAt,
    Priority,
    Status,
}

public sealed record JobQuery
{
    public const int MaxLimit = 100;

    public JobStatus? Status { get; init; }

    public string? UserId { get; init; }

    public string? ContentId { get; init; }

    public JobSort SortBy { get; init; } = JobSort.CreatedAt;

    public bool Descending { get; init; } = true;

    public int Limit { get; init; } = 20;

    public int Skip { get; init; }

    /// <summary>Start after this job (keyset paging) instead of skipping; its order is the query's.</summary>
    public JobCursor? After { get; init; }
}

/// <summary>
/// A page of jobs, the total matching the filters, and where the next page starts (null on the last). Pages
/// after a cursor leave the total out (null): counting every matching row is most of a page's cost, and the
/// first page already said it.
/// </summary>
public sealed record JobPage(IReadOnlyList<TranscodeJob> Jobs, long? Total, JobCursor? Next);

/// <summary>Queue depth by state. Waiting jobs can start now; delayed ones are backing off.</summary>
public sealed record QueueCounts(long Pending, long Waiting, long Delayed, long Active, long Completed, long Failed, long Cancelled)
{
    public long Total => Pending + Waiting + Delayed + Active + Completed + Failed + Cancelled;
}

/// <summary>Jobs created in the last N hours, by status.</summary>
public sealed record JobStats(double Hours, IReadOnlyList<StatusStats> ByStatus)
{
    public long Count(JobStatus status) => ByStatus.Where(s => s.Status == status).Sum(s => s.Count);

    /// <summary>Completed over finished (completed + failed); null before anything finished.</summary>
    public double? SuccessRate =>
        Count(JobStatus.Completed) + Count(JobStatus.Failed) is var finished and > 0 ? (double)Count(JobStatus.Completed) / finished : null;
}

/// <summary>
/// One status's jobs: how many, their processing times (started to finished; null while none finished) and
/// the sum of their actual costs (0 before any was costed).
/// </summary>
public sealed record StatusStats(JobStatus Status, long Count, TimeSpan? AverageTime, TimeSpan? MinTime, TimeSpan? MaxTime, decimal TotalCost);

/// <summary>Where a waiting job stands: 1 means next. Null estimate when the job is not waiting.</summary>
public sealed record QueuePosition(string JobId, JobStatus Status, long? Position, DateTimeOffset? EstimatedStart);
