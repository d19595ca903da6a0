using Mixillo.Errors;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>A claimed job: the worker that holds it and the fencing token its writes must carry.</summary>
public sealed record JobLease(string JobId, string WorkerId, long Token);

/// <summary>
/// A claim: the job and its lease, or nothing, with <see cref="RetryAfter"/> set when the start rate limit
/// was reached or a delayed job will be due (so a claimer sleeps exactly that long).
/// </summary>
public sealed record ClaimResult(TranscodeJob? Job, JobLease? Lease, TimeSpan? RetryAfter)
{
    public static readonly ClaimResult Nothing = new(null, null, null);

    public bool Claimed => Job is not null;
}

/// <summary>The lease is no longer this worker's (the job was recovered, cancelled or re-claimed): stop, write nothing.</summary>
public sealed class LeaseLostException(JobLease lease)
    : InvalidOperationException($"Worker {lease.WorkerId} no longer holds job {lease.JobId} (token {lease.Token})."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.LeaseLost;

    public JobLease Lease { get; } = lease;
}

/// <summary>No job with that id (the API answers 404).</summary>
public sealed class JobNotFoundException(string jobId) : KeyNotFoundException($"No job {jobId}."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.JobNotFound;

    public string JobId { get; } = jobId;
}

/// <summary>
/// The content already has a job (the API answers 409): a content id names one video of one user, and a second
/// job would take it over and publish over its files.
/// </summary>
public sealed class ContentExistsException(string contentId) : InvalidOperationException($"Content {contentId} already exists."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.ContentExists;

    public string ContentId { get; } = contentId;
}
