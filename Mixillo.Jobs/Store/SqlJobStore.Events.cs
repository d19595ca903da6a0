using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The job events (the outbox): written by the transaction that changes the job, read in id order by server-sent
/// events and webhook delivery. Ids increase in commit order, so a reader that resumes after id N misses nothing:
/// SQLite's writers take turns, and PostgreSQL's take <see cref="LockEventsAsync"/> before they insert events.
/// </summary>
public abstract partial class SqlJobStore
{
    private const string EventColumns = "id, type, time, content_id, job_id, user_id, data";

    /// <summary>Runs in a write transaction before it inserts events, and holds until commit (PostgreSQL: ids in commit order).</summary>
    protected virtual Task LockEventsAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs in a write transaction that inserted events, before commit (PostgreSQL tells other processes).</summary>
    protected virtual Task AnnounceEventsAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    private EventSignal EventsCommitted { get; } = new();

    private EventSignal EventsCommittedHere { get; } = new();

    /// <summary>Wakes this process's event readers (another process committed events).</summary>
    protected void PulseEvents() => EventsCommitted.Pulse();

    /// <summary>Writes the events the job recorded since it was loaded.</summary>
    private async Task AppendEventsAsync(WriteScope scope, TranscodeJob job, CancellationToken cancellationToken)
    {
        var events = job.TakeEvents();
        if (events.Count == 0)
        {
            return;
        }

        await LockEventsAsync(scope, cancellationToken);
        foreach (var recorded in events)
        {
            await scope.ExecuteAsync(
                "INSERT INTO job_events (type, time, content_id, job_id, user_id, data) VALUES (@Type, @Time, @ContentId, @JobId, @UserId, @Data)",
                new { recorded.Type, Time = Ms(recorded.Time), job.ContentId, job.JobId, job.UserId, Data = recorded.Data.ToJsonString(JobJson.Options) },
                cancellationToken);
        }

        await AnnounceEventsAsync(scope, cancellationToken);
        scope.Committed = () =>
        {
            EventsCommitted.Pulse();
            EventsCommittedHere.Pulse();
        };
    }

    /// <summary>Completes when events are next committed: by this process, or on PostgreSQL by any.</summary>
    public virtual Task WhenEventsCommitted() => EventsCommitted.Next;

    public Task WhenEventsCommittedHere() => EventsCommittedHere.Next;

    public Task<IReadOnlyList<JobEvent>> EventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        var where = new List<string> { "id > @After" };
        if (query.ContentId is not null)
        {
            where.Add("content_id = @ContentId");
        }

        var types = query.Types is { Count: > 0 } asked ? asked.ToArray() : null;
        if (types is not null)
        {
            where.Add(IsOneOf("type", "types"));
        }

        return ReadAsync<IReadOnlyList<JobEvent>>(
            async connection => [.. (await connection.QueryAsync<(long Id, string Type, long Time, string ContentId, string JobId, string UserId, string Data)>(new CommandDefinition(
                $"SELECT {EventColumns} FROM job_events WHERE {string.Join(" AND ", where)} ORDER BY id LIMIT @Limit",
                new { query.After, query.ContentId, types, Limit = Math.Clamp(query.Limit, 1, EventQuery.DefaultLimit) },
                cancellationToken: cancellationToken))).Select(row => new JobEvent(
                    row.Id,
                    row.Type,
                    DateTimeOffset.FromUnixTimeMilliseconds(row.Time),
                    row.ContentId,
                    row.JobId,
                    row.UserId,
                    JsonNode.Parse(row.Data) as JsonObject ?? throw new JsonException($"Event {row.Id} has no data object.")))],
            cancellationToken);
    }

    public Task<long> LastEventIdAsync(string? contentId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                contentId is null ? "SELECT max(id) FROM job_events" : "SELECT max(id) FROM job_events WHERE content_id = @contentId",
                new { contentId },
                cancellationToken: cancellationToken)) ?? 0,
            cancellationToken);

    public async Task<int> DeleteEventsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var deleted = await scope.ExecuteAsync("DELETE FROM job_events WHERE time < @before", new { before = Ms(before) }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return deleted;
    }
}
