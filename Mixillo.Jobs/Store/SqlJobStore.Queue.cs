using System.Diagnostics;
using Dapper;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The queue's commands: create, queue, claim, heartbeat, the lease holder's and anyone's changes, stuck recovery, and
/// waiting for work. Each is one write transaction that loads the job, applies its method and saves it.
/// </summary>
public abstract partial class SqlJobStore
{
    /// <summary>A job a claimer of <c>@stages</c> may take at <c>@now</c>.</summary>
    private string Claimable => $"status = 'queued' AND (not_before IS NULL OR not_before <= @now) AND {IsOneOf("stage", "stages")}";

    /// <summary>
    /// Runs in a create's transaction before it looks for the content's job, so that two creates of one content
    /// cannot both find none. SQLite needs nothing: its writers take turns.
    /// </summary>
    protected virtual Task LockContentAsync(WriteScope scope, string contentId, CancellationToken cancellationToken) => Task.CompletedTask;

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

    public async Task<ClaimResult> ClaimHeldAsync(string jobId, string workerId, string hostname, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        TranscodeJob job;
        try
        {
            job = await LoadAsync(scope, jobId, cancellationToken);
        }
        catch (JobNotFoundException)
        {
            return ClaimResult.Nothing;
        }

        if (job.Status != JobStatus.Queued || job.HeldFor != workerId)
        {
            return ClaimResult.Nothing;
        }

        job.Start(workerId, hostname, Time.GetUtcNow());
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
                JobFailures.Of(ErrorCatalog.WorkerLost, "job", $"Worker {job.Worker?.WorkerId} sent no heartbeat for {silence.TotalSeconds:0} s.", now),
                now,
                Random.Shared.NextDouble());
            await SaveAsync(scope, job, cancellationToken);
            recovered.Add(job);
        }

        await CommitAsync(scope, announce: recovered.Any(j => j.Status == JobStatus.Queued), cancellationToken);
        return recovered;
    }

    public virtual Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) => work.WaitAsync(maxWait, cancellationToken);

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
}
