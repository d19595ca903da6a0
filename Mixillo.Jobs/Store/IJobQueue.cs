using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The queue's commands: create and queue jobs; a worker's claims, heartbeats and changes, fenced by its lease;
/// anyone's change of a job (cancel, retry); stuck recovery; cleaning. Each is one transaction.
/// </summary>
public interface IJobQueue
{
    /// <summary>
    /// Creates a job and, unless <paramref name="queue"/> is false, queues it at once. Throws
    /// <see cref="ContentExistsException"/> when its content already has a job.
    /// </summary>
    Task<TranscodeJob> CreateAsync(NewJob job, bool queue, CancellationToken cancellationToken);

    /// <summary>A pending job joins the queue.</summary>
    Task<TranscodeJob> QueueAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the next runnable job (highest priority, then oldest; delayed jobs only once due) under a new
    /// lease. When nothing is claimed the result says when to try again, if anything is known.
    /// </summary>
    Task<ClaimResult> ClaimAsync(string workerId, string hostname, CancellationToken cancellationToken);

    /// <summary>As <see cref="ClaimAsync(string, string, CancellationToken)"/>, for a worker that takes only some stages.</summary>
    Task<ClaimResult> ClaimAsync(string workerId, string hostname, IReadOnlyCollection<JobStage> stages, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the job held for this worker (<see cref="TranscodeJob.HoldFor"/>) while it is still queued and still held
    /// for it, whatever its place in the queue; nothing when another worker took it or it was cancelled meanwhile.
    /// </summary>
    Task<ClaimResult> ClaimHeldAsync(string jobId, string workerId, string hostname, CancellationToken cancellationToken);

    /// <summary>Renews the lease; returns true when the job has been asked to cancel. Throws <see cref="LeaseLostException"/>.</summary>
    Task<bool> HeartbeatAsync(JobLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// The lease holder's write: applies <paramref name="change"/> to the current job and saves it, all in one
    /// transaction, only while the lease is still current. Throws <see cref="LeaseLostException"/>.
    /// </summary>
    Task<TranscodeJob> UpdateAsync(JobLease lease, Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken);

    /// <summary>An operator's (or a user's) change to a job, by id, in one transaction.</summary>
    Task<TranscodeJob> ChangeAsync(string jobId, Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken);

    /// <summary>Re-queues (or, out of retries, fails) processing jobs whose heartbeat is older than StuckAfter.</summary>
    Task<IReadOnlyList<TranscodeJob>> RecoverStuckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes those of <paramref name="jobIds"/> that are still cleanable (an operator's retry may have
    /// re-queued one meanwhile); returns how many.
    /// </summary>
    Task<int> DeleteCleanableAsync(IReadOnlyCollection<string> jobIds, DateTimeOffset finishedBefore, CancellationToken cancellationToken);

    /// <summary>Returns when a job may have become runnable (a notification) or after at most <paramref name="maxWait"/>.</summary>
    Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken);
}
