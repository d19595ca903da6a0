using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The system of record for jobs and, in the same rows, their queue: a job's status and its place in the
/// queue change in one transaction. SQLite (embedded) and PostgreSQL (distributed) implement it.
/// </summary>
public interface IJobStore : IAsyncDisposable
{
    /// <summary>Creates the schema, or migrates it, idempotently.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates a job and, unless <paramref name="queue"/> is false, queues it at once. Throws
    /// <see cref="ContentExistsException"/> when its content already has a job.
    /// </summary>
    Task<TranscodeJob> CreateAsync(NewJob job, bool queue, CancellationToken cancellationToken);

    Task<TranscodeJob?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The job of a content (the newest, should an older version of the service have let two in), or null.</summary>
    Task<TranscodeJob?> GetByContentAsync(string contentId, CancellationToken cancellationToken);

    /// <summary>A pending job joins the queue.</summary>
    Task<TranscodeJob> QueueAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the next runnable job (highest priority, then oldest; delayed jobs only once due) under a new
    /// lease. When nothing is claimed the result says when to try again, if anything is known.
    /// </summary>
    Task<ClaimResult> ClaimAsync(string workerId, string hostname, CancellationToken cancellationToken);

    /// <summary>As <see cref="ClaimAsync(string, string, CancellationToken)"/>, for a worker that takes only some stages.</summary>
    Task<ClaimResult> ClaimAsync(string workerId, string hostname, IReadOnlyCollection<JobStage> stages, CancellationToken cancellationToken);

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

    /// <summary>
    /// Deletes those of <paramref name="jobIds"/> that are still cleanable (an operator's retry may have
    /// re-queued one meanwhile); returns how many.
    /// </summary>
    Task<int> DeleteCleanableAsync(IReadOnlyCollection<string> jobIds, DateTimeOffset finishedBefore, CancellationToken cancellationToken);

    /// <summary>Returns when a job may have become runnable (a notification) or after at most <paramref name="maxWait"/>.</summary>
    Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the completion of an upload for <paramref name="completer"/>, unless another completer holds it and
    /// began less than <paramref name="staleAfter"/> ago (then it is left alone), or it already finished. Returns the
    /// marker as it stands: <see cref="UploadCompletion.IsHeldBy"/> says whether this completer now does the work.
    /// </summary>
    Task<UploadCompletion> BeginCompletionAsync(string uploadId, string completer, TimeSpan staleAfter, CancellationToken cancellationToken);

    Task<UploadCompletion?> GetCompletionAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates and queues the upload's job and marks the completion completed with it, in one transaction, so a
    /// crash leaves either both or neither. Throws <see cref="CompletionLostException"/> when <paramref name="held"/>
    /// is no longer held by its completer.
    /// </summary>
    Task<TranscodeJob> FinishCompletionAsync(UploadCompletion held, NewJob job, CancellationToken cancellationToken);

    /// <summary>Marks the completion rejected for good. Throws <see cref="CompletionLostException"/> as finishing does.</summary>
    Task<UploadCompletion> RejectCompletionAsync(UploadCompletion held, string code, string message, CancellationToken cancellationToken);

    /// <summary>Removes the marker if its completer still holds it (a failure that was not the file's fault: the next call starts afresh).</summary>
    Task ReleaseCompletionAsync(UploadCompletion held, CancellationToken cancellationToken);

    /// <summary>Removes the marker whatever its state (its upload is gone).</summary>
    Task ForgetCompletionAsync(string uploadId, CancellationToken cancellationToken);
}
