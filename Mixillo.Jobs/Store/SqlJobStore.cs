using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The queue in SQL both stores share. A job is one row: its document (the whole job as JSON) and the
/// columns the queue sorts and filters on, both written from the same object in the same statement.
/// Every change is load, apply a <see cref="TranscodeJob"/> method, save, inside one write transaction
/// that holds the row, so the state machine is enforced in one place.
/// </summary>
/// <param name="work">Wakes this process's idle claimers; SQLite shares one per database file.</param>
public abstract partial class SqlJobStore(QueueOptions options, TimeProvider time, WorkSignal work) : IJobStore, IJobEvents
{
    private const string Columns = "document, lease_token";

    protected QueueOptions Options { get; } = Validated(options);

    protected TimeProvider Time { get; } = time;

    /// <summary>Appended to a SELECT that takes the row for the rest of the transaction.</summary>
    protected abstract string LockRow { get; }

    /// <summary>Appended to the claim's SELECT: lock the row, skipping rows other claimers hold.</summary>
    protected abstract string LockNextFree { get; }

    /// <summary>"column is one of @parameter": Dapper expands a list for SQLite but hands PostgreSQL a real array.</summary>
    protected abstract string IsOneOf(string column, string parameter);

    /// <summary>The actual cost's total read from the JSON in <c>document</c>, as a number or NULL (a migration fills a column with it).</summary>
    protected abstract string ActualCostOfDocument { get; }

    /// <summary>The events table's id column: a key the database gives each row, increasing.</summary>
    protected abstract string EventId { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction; the returned scope ends it (and any process-wide lock) when disposed. Writes
    /// are not retried here: after a failed commit nobody knows whether it happened, so the caller decides (a
    /// claim loop claims again; a claim lost that way is recovered as a stuck job).
    /// </summary>
    protected abstract Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>Called after a transient failure or a broken write connection: pooled connections may all be dead (a restarted server).</summary>
    protected virtual void ForgetConnections()
    {
    }

    /// <summary>Runs inside a write transaction that made a job runnable, before commit.</summary>
    protected virtual Task AnnounceWorkAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wakes one claimer of this process that waits in <see cref="WaitForWorkAsync"/>.</summary>
    protected void WakeOne() => work.Wake();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>A read, retried once on a fresh connection when the first fails transiently (reads are idempotent).</summary>
    protected async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await OpenAsync(cancellationToken);
                return await read(connection);
            }
            catch (Exception ex) when (StoreErrors.IsTransient(ex))
            {
                ForgetConnections();
                if (attempt > 1)
                {
                    throw;
                }
            }
        }
    }

    private async Task CommitAsync(WriteScope scope, bool announce, CancellationToken cancellationToken)
    {
        if (announce)
        {
            await AnnounceWorkAsync(scope, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        if (announce)
        {
            AfterCommitOfWork();
        }
    }

    /// <summary>Called after a commit that made a job runnable (SQLite wakes its own claimers here).</summary>
    protected virtual void AfterCommitOfWork()
    {
    }

    private async Task<TranscodeJob> LoadAsync(WriteScope scope, string jobId, CancellationToken cancellationToken)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<(string, long)?>(new CommandDefinition(
            $"SELECT {Columns} FROM transcode_jobs WHERE job_id = @jobId{LockRow}", new { jobId }, scope.Transaction, cancellationToken: cancellationToken));
        return row is { } r ? Read(r) : throw new JobNotFoundException(jobId);
    }

    /// <summary>Writes the job's row and the events its change recorded.</summary>
    private async Task SaveAsync(WriteScope scope, TranscodeJob job, CancellationToken cancellationToken)
    {
        await WriteWithEventsAsync(
            scope,
            job,
            """
            UPDATE transcode_jobs SET status = @Status, stage = @Stage, priority = @Priority, updated_at = @UpdatedAt, queued_at = @QueuedAt,
                not_before = @NotBefore, started_at = @StartedAt, completed_at = @CompletedAt, heartbeat_at = @HeartbeatAt,
                worker_id = @WorkerId, lease_token = @LeaseToken, cancel_requested = @CancelRequested, retry_count = @RetryCount,
                total_cost = @TotalCost, document = @Document
            WHERE job_id = @JobId
            """,
            Row(job),
            cancellationToken);
    }

    private static object Row(TranscodeJob job) => new
    {
        job.JobId,
        job.ContentId,
        job.UserId,
        Status = JobJson.Name(job.Status),
        Stage = JobJson.Name(job.Stage),
        job.Priority,
        CreatedAt = Ms(job.CreatedAt),
        UpdatedAt = Ms(job.UpdatedAt),
        QueuedAt = Ms(job.QueuedAt),
        NotBefore = Ms(job.NotBefore),
        StartedAt = Ms(job.StartedAt),
        CompletedAt = Ms(job.CompletedAt),
        HeartbeatAt = Ms(job.Worker?.LastHeartbeat),
        WorkerId = job.Worker?.WorkerId,
        job.LeaseToken,
        CancelRequested = job.CancelRequested ? 1 : 0,
        job.RetryCount,
        TotalCost = (double?)job.ActualCost?.Total,
        Document = JobJson.Serialize(job),
    };

    private static TranscodeJob Read((string Document, long LeaseToken) row)
    {
        var job = JobJson.Deserialize(row.Document);
        job.LeaseToken = row.LeaseToken;
        return job;
    }

    private static QueueOptions Validated(QueueOptions options)
    {
        options.Validate();
        return options;
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();
}
