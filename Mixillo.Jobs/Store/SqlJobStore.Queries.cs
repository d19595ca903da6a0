using Dapper;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The reads for users and admins: a job by id or content, lists, counts, stats, a waiting job's place, and what
/// cleaning may remove.
/// </summary>
public abstract partial class SqlJobStore
{
    private readonly CountCache _totals = new(time);

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

    /// <summary>What cleaning may remove: jobs that ended without publishing anything, finished before @cutoff.</summary>
    private const string Cleanable = "status IN ('failed', 'cancelled') AND completed_at < @cutoff";

    /// <summary>Assumed length of a job before any has completed, for queue estimates.</summary>
    private const double DefaultJobSeconds = 60;

    /// <summary>Queue estimates average the latest this many completions of the last day: recent, and one short index scan.</summary>
    private const int EstimateSample = 100;
}
