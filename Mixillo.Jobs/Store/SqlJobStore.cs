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

    private readonly CountCache _totals = new(time);

    /// <summary>A job a claimer of <c>@stages</c> may take at <c>@now</c>.</summary>
    private string Claimable => $"status = 'queued' AND (not_before IS NULL OR not_before <= @now) AND {IsOneOf("stage", "stages")}";

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

    /// <summary>
    /// Runs in a create's transaction before it looks for the content's job, so that two creates of one content
    /// cannot both find none. SQLite needs nothing: its writers take turns.
    /// </summary>
    protected virtual Task LockContentAsync(WriteScope scope, string contentId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs first in the migration transaction (PostgreSQL serialises instances starting together here).</summary>
    protected virtual Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await LockSchemaAsync(scope, cancellationToken);
        await scope.ExecuteAsync(Schema.CreateVersionTable, null, cancellationToken);
        var version = await scope.Connection.ExecuteScalarAsync<int?>(
            new CommandDefinition("SELECT max(version) FROM schema_version", transaction: scope.Transaction, cancellationToken: cancellationToken)) ?? 0;
        for (var i = version; i < Schema.Migrations.Count; i++)
        {
            await scope.ExecuteAsync(
                Schema.Migrations[i].Replace(Schema.ActualCostOfDocument, ActualCostOfDocument, StringComparison.Ordinal).Replace(Schema.EventId, EventId, StringComparison.Ordinal),
                null,
                cancellationToken);
            await scope.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@v)", new { v = i + 1 }, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<TranscodeJob> CreateAsync(NewJob job, bool queue, CancellationToken cancellationToken)
    {
        var created = Created(job, queue);
        using var activity = StartEnqueue(created);
        await using var scope = await BeginWriteAsync(cancellationToken);
        await InsertAsync(scope, created, cancellationToken);
        await CommitAsync(scope, announce: queue, cancellationToken);
        return created;
    }

    private TranscodeJob Created(NewJob job, bool queue)
    {
        var now = Time.GetUtcNow();
        var created = TranscodeJob.Create(job, now, Options.MaxRetries);
        if (queue)
        {
            created.Queue(now);
        }

        return created;
    }

    /// <summary>The job's "enqueue job" span; the job carries its context, so the workers' spans join the enqueuer's trace.</summary>
    private static Activity? StartEnqueue(TranscodeJob created)
    {
        var activity = JobsTelemetry.Source.StartActivity("enqueue job", ActivityKind.Producer);
        activity?.SetTag(JobsTelemetry.JobId, created.JobId);
        activity?.SetTag(JobsTelemetry.ContentId, created.ContentId);
        created.TraceParent = activity?.Id;
        return activity;
    }

    /// <summary>Inserts a new job; a content has one job, so a content id that already has one is refused.</summary>
    private async Task InsertAsync(WriteScope scope, TranscodeJob created, CancellationToken cancellationToken)
    {
        await LockContentAsync(scope, created.ContentId, cancellationToken);
        if (await scope.Connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM transcode_jobs WHERE content_id = @contentId LIMIT 1", new { contentId = created.ContentId }, scope.Transaction, cancellationToken: cancellationToken)) is not null)
        {
            throw new ContentExistsException(created.ContentId);
        }

        await WriteWithEventsAsync(
            scope,
            created,
            """
            INSERT INTO transcode_jobs (job_id, content_id, user_id, status, stage, priority, created_at, updated_at, queued_at, not_before,
                started_at, completed_at, heartbeat_at, worker_id, lease_token, cancel_requested, retry_count, total_cost, document)
            VALUES (@JobId, @ContentId, @UserId, @Status, @Stage, @Priority, @CreatedAt, @UpdatedAt, @QueuedAt, @NotBefore,
                @StartedAt, @CompletedAt, @HeartbeatAt, @WorkerId, @LeaseToken, @CancelRequested, @RetryCount, @TotalCost, @Document)
            """,
            Row(created),
            cancellationToken);
    }

    public Task<TranscodeJob?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => await connection.QuerySingleOrDefaultAsync<(string, long)?>(
                new CommandDefinition($"SELECT {Columns} FROM transcode_jobs WHERE job_id = @jobId", new { jobId }, cancellationToken: cancellationToken)) is { } row
                ? Read(row)
                : null,
            cancellationToken);

    public Task<TranscodeJob?> GetByContentAsync(string contentId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => await connection.QueryFirstOrDefaultAsync<(string, long)?>(new CommandDefinition(
                $"SELECT {Columns} FROM transcode_jobs WHERE content_id = @contentId ORDER BY created_at DESC, job_id DESC LIMIT 1",
                new { contentId },
                cancellationToken: cancellationToken)) is { } row
                ? Read(row)
                : null,
            cancellationToken);

    public Task<TranscodeJob> QueueAsync(string jobId, CancellationToken cancellationToken) =>
        ChangeAsync(jobId, (job, now) => job.Queue(now), cancellationToken);

    public Task<ClaimResult> ClaimAsync(string workerId, string hostname, CancellationToken cancellationToken) =>
        ClaimAsync(workerId, hostname, Enum.GetValues<JobStage>(), cancellationToken);

    public async Task<ClaimResult> ClaimAsync(string workerId, string hostname, IReadOnlyCollection<JobStage> stages, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var parameters = new { now = Ms(now), stages = stages.Select(JobJson.Name).ToArray(), share = Options.UserShare };
        // The head of the queue (priority, then age) and, only when another user waits at its priority, how many jobs
        // the head's user runs: one statement. Whether another user waits is two index probes, the nearest user on each
        // side of the head's (as max/min they stay probes; as EXISTS, PostgreSQL plans a scan that expects to stop
        // early and, with one user waiting, reads every row). The count is skipped when nobody else waits: it reads the
        // user's index entries of running jobs, dead row versions included, which made one user's claims 20-50 % slower
        // on PostgreSQL (docs/benchmarks.md, "Fair-share claim").
        var head = await scope.Connection.QueryFirstOrDefaultAsync<(string Document, long LeaseToken, string UserId, int Priority, long Running)?>(new CommandDefinition(
            $"""
            SELECT document, lease_token, user_id, priority,
                CASE WHEN (SELECT max(o.user_id) FROM transcode_jobs o WHERE o.status = 'queued' AND o.priority = j.priority AND o.user_id < j.user_id) IS NOT NULL
                    OR (SELECT min(o.user_id) FROM transcode_jobs o WHERE o.status = 'queued' AND o.priority = j.priority AND o.user_id > j.user_id) IS NOT NULL
                THEN (SELECT count(*) FROM transcode_jobs r WHERE r.user_id = j.user_id AND r.status = 'processing') ELSE 0 END
            FROM transcode_jobs j
            WHERE {Claimable}
            ORDER BY priority DESC, created_at, job_id
            LIMIT 1{LockNextFree}
            """,
            parameters,
            scope.Transaction,
            cancellationToken: cancellationToken));

        // Fair share: when the head's user already runs their share, the oldest job of the same priority whose user
        // does not goes first, so one user's burst waits behind nobody else's first job. Other users' rows are found
        // by two index ranges around the head's user, never by scanning the burst. Nobody else waiting (the probes
        // above; they see delayed jobs too, which at worst costs this second statement for nothing): the head runs.
        var row = head is { } h
            ? (h.Running >= Options.UserShare
                ? await scope.Connection.QueryFirstOrDefaultAsync<(string, long)?>(new CommandDefinition(
                    $"""
                    SELECT {Columns} FROM transcode_jobs
                    WHERE {Claimable} AND priority = @priority AND (user_id < @user OR user_id > @user)
                      AND user_id NOT IN (SELECT user_id FROM transcode_jobs WHERE status = 'processing' GROUP BY user_id HAVING count(*) >= @share)
                    ORDER BY created_at, job_id
                    LIMIT 1{LockNextFree}
                    """,
                    new { parameters.now, parameters.stages, parameters.share, priority = h.Priority, user = h.UserId },
                    scope.Transaction,
                    cancellationToken: cancellationToken))
                : null) ?? (h.Document, h.LeaseToken)
            : ((string, long)?)null;

        if (row is not { } found)
        {
            var due = await scope.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT min(not_before) FROM transcode_jobs WHERE status = 'queued' AND not_before > @now AND {IsOneOf("stage", "stages")}",
                new { now = Ms(now), stages = stages.Select(JobJson.Name).ToArray() },
                scope.Transaction,
                cancellationToken: cancellationToken));
            return due is { } at ? ClaimResult.Nothing with { RetryAfter = DateTimeOffset.FromUnixTimeMilliseconds(at) - now } : ClaimResult.Nothing;
        }

        var job = Read(found);
        // The limit is on job starts: later stages and retries of a started job do not count.
        if (Options.StartRateLimit > 0 && job.StartedAt is null && !await TakeStartTokenAsync(scope, now, cancellationToken))
        {
            return ClaimResult.Nothing with { RetryAfter = TimeSpan.FromSeconds(1 / Options.StartRateLimit) };
        }

        job.Start(workerId, hostname, now);
        await SaveAsync(scope, job, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return new ClaimResult(job, new JobLease(job.JobId, workerId, job.LeaseToken), null);
    }

    public async Task<bool> HeartbeatAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var job = await UpdateAsync(lease, (job, now) => job.Heartbeat(now), cancellationToken);
        return job.CancelRequested;
    }

    public async Task<TranscodeJob> UpdateAsync(JobLease lease, Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var job = await LoadAsync(scope, lease.JobId, cancellationToken);
        if (job.LeaseToken != lease.Token || job.Status != JobStatus.Processing || job.Worker?.WorkerId != lease.WorkerId)
        {
            throw new LeaseLostException(lease);
        }

        change(job, now);
        job.UpdatedAt = now;
        await SaveAsync(scope, job, cancellationToken);
        await CommitAsync(scope, announce: job.Status == JobStatus.Queued, cancellationToken);
        return job;
    }

    public async Task<TranscodeJob> ChangeAsync(string jobId, Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var job = await LoadAsync(scope, jobId, cancellationToken);
        var before = job.Status;
        change(job, now);
        job.UpdatedAt = now;
        await SaveAsync(scope, job, cancellationToken);
        await CommitAsync(scope, announce: job.Status == JobStatus.Queued && before != JobStatus.Queued, cancellationToken);
        return job;
    }

    public async Task<IReadOnlyList<TranscodeJob>> RecoverStuckAsync(CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var rows = await scope.Connection.QueryAsync<(string, long)>(new CommandDefinition(
            $"SELECT {Columns} FROM transcode_jobs WHERE status = 'processing' AND heartbeat_at < @cutoff ORDER BY heartbeat_at{LockNextFree}",
            new { cutoff = Ms(now - Options.StuckAfter) },
            scope.Transaction,
            cancellationToken: cancellationToken));

        var recovered = new List<TranscodeJob>();
        foreach (var row in rows)
        {
            var job = Read(row);
            var silence = now - (job.Worker?.LastHeartbeat ?? now);
            job.Fail(
                new JobError
                {
                    Task = "job",
                    Code = "worker_lost",
                    Error = $"Worker {job.Worker?.WorkerId} sent no heartbeat for {silence.TotalSeconds:0} s.",
                    Timestamp = now,
                    Retryable = true,
                },
                now,
                Random.Shared.NextDouble());
            await SaveAsync(scope, job, cancellationToken);
            recovered.Add(job);
        }

        await CommitAsync(scope, announce: recovered.Any(j => j.Status == JobStatus.Queued), cancellationToken);
        return recovered;
    }

    public Task<IReadOnlyList<TranscodeJob>> StuckAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<TranscodeJob>>(
            async connection => [.. (await connection.QueryAsync<(string, long)>(new CommandDefinition(
                $"SELECT {Columns} FROM transcode_jobs WHERE status = 'processing' AND heartbeat_at < @cutoff ORDER BY heartbeat_at",
                new { cutoff = Ms(Time.GetUtcNow() - Options.StuckAfter) },
                cancellationToken: cancellationToken))).Select(Read)],
            cancellationToken);

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (query.Status is { } status)
        {
            where.Add("status = @status");
            parameters.Add("status", JobJson.Name(status));
        }

        if (query.UserId is { } userId)
        {
            where.Add("user_id = @userId");
            parameters.Add("userId", userId);
        }

        if (query.ContentId is { } contentId)
        {
            where.Add("content_id = @contentId");
            parameters.Add("contentId", contentId);
        }

        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        var direction = query.Descending ? "DESC" : "ASC";
        var column = query.SortBy switch
        {
            JobSort.UpdatedAt => "updated_at",
            JobSort.CompletedAt => "completed_at",
            JobSort.Priority => "priority",
            JobSort.Status => "status",
            _ => "created_at",
        };

        // The one nullable sort column: "IS NULL" first puts unfinished jobs last on both databases (they
        // disagree otherwise). Only there: the term keeps PostgreSQL from using an index.
        var order = query.SortBy == JobSort.CompletedAt ? $"completed_at IS NULL, completed_at {direction}" : $"{column} {direction}";
        var keyset = "";
        if (query.After is { } after)
        {
            if (after.SortBy != query.SortBy || after.Descending != query.Descending)
            {
                throw new ArgumentException("A cursor continues the order it was made in.", nameof(query));
            }

            var op = query.Descending ? "<" : ">";
            var past = $"({column}, job_id) {op} (@after, @afterId)";
            keyset = (where.Count == 0 ? "WHERE " : " AND ") + (query.SortBy != JobSort.CompletedAt ? past
                : after.Value is null ? $"completed_at IS NULL AND job_id {op} @afterId"
                : $"(completed_at IS NULL OR {past})");
            parameters.Add("after", after.Parameter);
            parameters.Add("afterId", after.JobId);
        }

        var limit = Math.Clamp(query.Limit, 1, JobQuery.MaxLimit);
        parameters.Add("take", limit + 1);
        parameters.Add("skip", query.After is null ? Math.Max(0, query.Skip) : 0);

        return await ReadAsync(
            async connection =>
            {
                long? total = query.After is null
                    ? await _totals.GetAsync(
                        query,
                        () => connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM transcode_jobs {filter}", parameters, cancellationToken: cancellationToken)))
                    : null;
                var rows = (await connection.QueryAsync<(string, long)>(new CommandDefinition(
                    $"SELECT {Columns} FROM transcode_jobs {filter}{keyset} ORDER BY {order}, job_id {direction} LIMIT @take OFFSET @skip",
                    parameters,
                    cancellationToken: cancellationToken))).Select(Read).ToList();

                // One row past the page says whether another page follows, without a second count.
                var next = rows.Count > limit ? JobCursor.After(rows[limit - 1], query.SortBy, query.Descending) : null;
                return new JobPage(rows.Take(limit).ToList(), total, next);
            },
            cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) =>
        ReadAsync(connection => connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT max(version) FROM schema_version", cancellationToken: cancellationToken)), cancellationToken);

    public Task<long> CountActiveAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM transcode_jobs WHERE user_id = @userId AND status IN ('pending', 'queued', 'processing')",
                new { userId },
                cancellationToken: cancellationToken)),
            cancellationToken);

    public async Task<QueueCounts> CountAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(async connection => (await connection.QueryAsync<(string Status, long Delayed, long Count)>(new CommandDefinition(
            """
            SELECT status, CASE WHEN status = 'queued' AND not_before > @now THEN 1 ELSE 0 END AS delayed, count(*)
            FROM transcode_jobs GROUP BY status, CASE WHEN status = 'queued' AND not_before > @now THEN 1 ELSE 0 END
            """,
            new { now = Ms(Time.GetUtcNow()) },
            cancellationToken: cancellationToken))).ToList(), cancellationToken);
        long Count(JobStatus status, long delayed = 0) =>
            rows.Where(r => r.Status == JobJson.Name(status) && r.Delayed == delayed).Sum(r => r.Count);
        return new QueueCounts(
            Count(JobStatus.Pending),
            Count(JobStatus.Queued),
            Count(JobStatus.Queued, delayed: 1),
            Count(JobStatus.Processing),
            Count(JobStatus.Completed),
            Count(JobStatus.Failed),
            Count(JobStatus.Cancelled));
    }

    public async Task<JobStats> StatsAsync(double hours, CancellationToken cancellationToken)
    {
        var since = Time.GetUtcNow() - TimeSpan.FromHours(hours);
        var rows = await ReadAsync(connection => connection.QueryAsync<(string Status, long Count, double? Avg, long? Min, long? Max, double? Cost)>(new CommandDefinition(
            """
            SELECT status, count(*), avg(CAST(completed_at - started_at AS DOUBLE PRECISION)), min(completed_at - started_at), max(completed_at - started_at),
                sum(total_cost)
            FROM transcode_jobs WHERE created_at >= @since GROUP BY status
            """,
            new { since = Ms(since) },
            cancellationToken: cancellationToken)), cancellationToken);
        return new JobStats(
            hours,
            [.. rows
                .Select(r => new StatusStats(JobJson.Parse<JobStatus>(r.Status), r.Count, Duration(r.Avg), Duration(r.Min), Duration(r.Max), Math.Round((decimal)(r.Cost ?? 0), 6)))
                .OrderBy(s => s.Status)]);

        static TimeSpan? Duration(double? ms) => ms is { } value ? TimeSpan.FromMilliseconds(value) : null;
    }

    public async Task<QueuePosition> PositionAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await GetAsync(jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
        if (job.Status != JobStatus.Queued)
        {
            return new QueuePosition(jobId, job.Status, null, null);
        }

        var now = Time.GetUtcNow();
        var (ahead, active, average) = await ReadAsync(connection => connection.QuerySingleAsync<(long, long, double?)>(new CommandDefinition(
            """
            SELECT
                (SELECT count(*) FROM transcode_jobs WHERE status = 'queued'
                    AND (priority > @priority OR (priority = @priority AND (created_at < @created OR (created_at = @created AND job_id < @jobId))))),
                (SELECT count(*) FROM transcode_jobs WHERE status = 'processing'),
                (SELECT avg(CAST(completed_at - started_at AS DOUBLE PRECISION)) / 1000 FROM
                    (SELECT completed_at, started_at FROM transcode_jobs WHERE status = 'completed' AND completed_at >= @recent
                     ORDER BY completed_at DESC LIMIT @sample) AS latest)
            """,
            new { priority = job.Priority, created = Ms(job.CreatedAt), jobId, recent = Ms(now - TimeSpan.FromDays(1)), sample = EstimateSample },
            cancellationToken: cancellationToken)), cancellationToken);

        // Jobs ahead start in waves as wide as the work running now; a wave lasts an average recent job.
        var slots = Math.Max(1, active);
        var perJob = TimeSpan.FromSeconds(average ?? DefaultJobSeconds);
        var estimate = now + (perJob * (ahead / (double)slots));
        if (job.NotBefore is { } notBefore && notBefore > estimate)
        {
            estimate = notBefore;
        }

        return new QueuePosition(jobId, job.Status, ahead + 1, estimate);
    }

    public Task<IReadOnlyList<TranscodeJob>> CleanableAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<TranscodeJob>>(
            async connection => [.. (await connection.QueryAsync<(string, long)>(new CommandDefinition(
                $"SELECT {Columns} FROM transcode_jobs WHERE {Cleanable} ORDER BY completed_at, job_id LIMIT @limit",
                new { cutoff = Ms(finishedBefore), limit },
                cancellationToken: cancellationToken))).Select(Read)],
            cancellationToken);

    public async Task<int> DeleteCleanableAsync(IReadOnlyCollection<string> jobIds, DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var deleted = await scope.ExecuteAsync(
            $"DELETE FROM transcode_jobs WHERE {IsOneOf("job_id", "jobIds")} AND {Cleanable}",
            new { jobIds = jobIds.ToArray(), cutoff = Ms(finishedBefore) },
            cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return deleted;
    }

    public virtual Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) => work.WaitAsync(maxWait, cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>What cleaning may remove: jobs that ended without publishing anything, finished before @cutoff.</summary>
    private const string Cleanable = "status IN ('failed', 'cancelled') AND completed_at < @cutoff";

    /// <summary>Assumed length of a job before any has completed, for queue estimates.</summary>
    private const double DefaultJobSeconds = 60;

    /// <summary>Queue estimates average the latest this many completions of the last day: recent, and one short index scan.</summary>
    private const int EstimateSample = 100;

    /// <summary>A read, retried once on a fresh connection when the first fails transiently (reads are idempotent).</summary>
    private async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
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

    /// <summary>
    /// A token bucket in one row, shared by every worker: a burst of one second's worth, refilled continuously.
    /// Claimers' clocks and commit order can disagree by a little, so the refill time never moves backwards.
    /// </summary>
    private async Task<bool> TakeStartTokenAsync(WriteScope scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Refilled = "CASE WHEN tokens + (@now - refilled_at) * @perMs > @burst THEN @burst ELSE tokens + (@now - refilled_at) * @perMs END";
        var rate = Options.StartRateLimit;
        var taken = await scope.ExecuteAsync(
            $"""
            UPDATE queue_rate SET tokens = {Refilled} - 1, refilled_at = @now
            WHERE id = 1 AND refilled_at <= @now AND {Refilled} >= 1
            """,
            new { now = Ms(now), perMs = rate / 1000.0, burst = Math.Max(1, rate) },
            cancellationToken);
        return taken == 1;
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
