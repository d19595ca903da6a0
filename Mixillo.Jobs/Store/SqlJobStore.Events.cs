using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The job events (the outbox): written by the transaction that changes the job, read in position order by server-sent
/// events and webhook delivery (an event's public id is its position). Positions increase in the order events become
/// visible, so a reader that resumes after position N misses nothing (see <see cref="AfterEventsInserted"/>): the
/// transactions that change jobs never wait for one another's events.
/// </summary>
public abstract partial class SqlJobStore
{
    private const string EventColumns = "position, type, time, content_id, job_id, user_id, data";

    /// <summary>
    /// Runs in the command that inserted events, right after them (nothing, or numbering the events: see
    /// <see cref="NumberEventsAsync"/>).
    /// </summary>
    protected virtual string AfterEventsInserted => "";

    /// <summary>
    /// Before events are read: gives the committed events that have none their positions. Where writers take turns
    /// (SQLite) they number their own in <see cref="AfterEventsInserted"/> and there is nothing to do.
    /// </summary>
    protected virtual Task NumberEventsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once a transaction that wrote events has committed (PostgreSQL tells other processes).</summary>
    protected virtual void EventsCommittedByThisProcess()
    {
    }

    private EventSignal EventsCommitted { get; } = new();

    private EventSignal EventsCommittedHere { get; } = new();

    /// <summary>Wakes this process's event readers (another process committed events).</summary>
    protected void PulseEvents() => EventsCommitted.Pulse();

    /// <summary>
    /// Runs <paramref name="statement"/> (the job's own row, with <paramref name="row"/>) and inserts the events the job
    /// recorded since it was loaded, as one command: one round trip, however many events.
    /// </summary>
    private async Task WriteWithEventsAsync(WriteScope scope, TranscodeJob job, string statement, object row, CancellationToken cancellationToken)
    {
        var events = job.TakeEvents();
        if (events.Count == 0)
        {
            await scope.ExecuteAsync(statement, row, cancellationToken);
            return;
        }

        var parameters = new DynamicParameters(row);
        var values = new List<string>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            values.Add($"(@EventType{i}, @EventTime{i}, @ContentId, @JobId, @UserId, @EventData{i})");
            parameters.Add($"EventType{i}", events[i].Type);
            parameters.Add($"EventTime{i}", Ms(events[i].Time));
            parameters.Add($"EventData{i}", events[i].Data.ToJsonString(JobJson.Options));
        }

        await scope.ExecuteAsync(
            $"""
            {statement};
            INSERT INTO job_events (type, time, content_id, job_id, user_id, data) VALUES {string.Join(", ", values)};
            {AfterEventsInserted}
            """.TrimEnd(),
            parameters,
            cancellationToken);
        scope.Committed = () =>
        {
            EventsCommitted.Pulse();
            EventsCommittedHere.Pulse();
            EventsCommittedByThisProcess();
        };
    }

    /// <summary>Completes when events are next committed: by this process, or on PostgreSQL by any.</summary>
    public virtual Task WhenEventsCommitted() => EventsCommitted.Next;

    public Task WhenEventsCommittedHere() => EventsCommittedHere.Next;

    public async Task<IReadOnlyList<JobEvent>> EventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        await NumberEventsAsync(cancellationToken);
        var where = new List<string> { "position > @After" };
        if (query.ContentId is not null)
        {
            where.Add("content_id = @ContentId");
        }

        var types = query.Types is { Count: > 0 } asked ? asked.ToArray() : null;
        if (types is not null)
        {
            where.Add(IsOneOf("type", "types"));
        }

        return await ReadAsync<IReadOnlyList<JobEvent>>(
            async connection => [.. (await connection.QueryAsync<(long Id, string Type, long Time, string ContentId, string JobId, string UserId, string Data)>(new CommandDefinition(
                $"SELECT {EventColumns} FROM job_events WHERE {string.Join(" AND ", where)} ORDER BY position LIMIT @Limit",
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

    public async Task<long> LastEventIdAsync(string? contentId, CancellationToken cancellationToken)
    {
        await NumberEventsAsync(cancellationToken);
        return await ReadAsync(
            async connection => await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                contentId is null ? "SELECT max(position) FROM job_events" : "SELECT max(position) FROM job_events WHERE content_id = @contentId",
                new { contentId },
                cancellationToken: cancellationToken)) ?? 0,
            cancellationToken);
    }

    public async Task<int> DeleteEventsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await NumberEventsAsync(cancellationToken);
        await using var scope = await BeginWriteAsync(cancellationToken);
        // The newest event stays whatever its age: the next positions follow it, so they never restart below a
        // position a client or the webhook cursor holds.
        var deleted = await scope.ExecuteAsync(
            "DELETE FROM job_events WHERE time < @before AND position < (SELECT max(position) FROM job_events)", new { before = Ms(before) }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return deleted;
    }
}
