using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Jobs.Store;

/// <summary>
/// Webhook deliveries, the outbox senders work from. A claim moves a delivery's next attempt to the end of its lease
/// and raises its token: another sender cannot take it before the lease ends (PostgreSQL skips rows a claimer holds;
/// SQLite's writers take turns), a crashed sender's delivery comes back when it does, and only the current lease
/// holder records the attempt.
/// </summary>
public abstract partial class SqlJobStore
{
    private const string DeliveryColumns =
        "id AS Id, endpoint_id AS EndpointId, event_id AS EventId, event_type AS EventType, payload AS Payload, status AS Status, " +
        "attempts AS Attempts, created_at AS CreatedAt, next_attempt_at AS NextAttemptAt, last_attempt_at AS LastAttemptAt, " +
        "last_response_code AS LastResponseCode, last_response_body AS LastResponseBody, last_error AS LastError, delivered_at AS DeliveredAt, " +
        "window_start AS WindowStart, lease_token AS LeaseToken";

    private const string DeliveryIdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public Task<long> DispatchedThroughAsync(CancellationToken cancellationToken) =>
        ReadAsync(
            connection => connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT position FROM webhook_cursor WHERE id = 1", cancellationToken: cancellationToken)),
            cancellationToken);

    public async Task<int> DispatchAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var position = await scope.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT position FROM webhook_cursor WHERE id = 1{LockRow}", transaction: scope.Transaction, cancellationToken: cancellationToken));
        var fresh = events.Where(e => e.Id > position).OrderBy(e => e.Id).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var endpoints = (await scope.Connection.QueryAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE enabled = 1", transaction: scope.Transaction, cancellationToken: cancellationToken)))
            .Select(r => r.ToEndpoint()).ToList();
        var now = Ms(Time.GetUtcNow());
        var rows = (from e in fresh
                    from endpoint in endpoints
                    where endpoint.Takes(e.Type)
                    select new
                    {
                        Id = "msg_" + RandomNumberGenerator.GetString(DeliveryIdAlphabet, 24),
                        EndpointId = endpoint.Id,
                        EventId = e.Id,
                        EventType = e.Type,
                        // Exactly what the event streams send as an event's data.
                        Payload = JsonSerializer.Serialize(e, JobJson.Options),
                        Now = now,
                    }).ToList();
        if (rows.Count > 0)
        {
            await scope.ExecuteAsync(
                """
                INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, created_at, window_start, next_attempt_at, lease_token)
                VALUES (@Id, @EndpointId, @EventId, @EventType, @Payload, 'pending', 0, @Now, @Now, @Now, 0)
                """,
                rows,
                cancellationToken);
        }

        await scope.ExecuteAsync("UPDATE webhook_cursor SET position = @last WHERE id = 1", new { last = fresh[^1].Id }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return rows.Count;
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Senders look every second or so: when nothing is due, a read says so without a write transaction (on SQLite, the one writer's turn).
        var due = await ReadAsync(
            connection => connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now LIMIT 1", new { now = Ms(Time.GetUtcNow()) }, cancellationToken: cancellationToken)),
            cancellationToken);
        return due is null ? [] : await ClaimDueAsync(limit, lease, cancellationToken);
    }

    private async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var claimable = (await scope.Connection.QueryAsync<DeliveryRow>(new CommandDefinition(
            $"""
            SELECT {DeliveryColumns} FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= @now AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled = 1)
            ORDER BY next_attempt_at, id
            LIMIT @limit{LockNextFree}
            """,
            new { now = Ms(now), limit },
            scope.Transaction,
            cancellationToken: cancellationToken))).ToList();
        if (claimable.Count == 0)
        {
            return [];
        }

        var ids = claimable.Select(d => d.Id).ToArray();
        var until = now + lease;
        await scope.ExecuteAsync(
            $"UPDATE webhook_deliveries SET next_attempt_at = @until, lease_token = lease_token + 1 WHERE {IsOneOf("id", "ids")}",
            new { until = Ms(until), ids },
            cancellationToken);
        var endpoints = (await scope.Connection.QueryAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE {IsOneOf("id", "endpointIds")}",
            new { endpointIds = claimable.Select(d => d.EndpointId).Distinct().ToArray() },
            scope.Transaction,
            cancellationToken: cancellationToken))).ToDictionary(e => e.Id);
        await scope.CommitAsync(cancellationToken);
        return [.. claimable.Select(d => new ClaimedDelivery(d.ToDelivery() with { NextAttemptAt = until }, endpoints[d.EndpointId].Url, endpoints[d.EndpointId].Secret, d.LeaseToken + 1))];
    }

    public async Task<bool> FinishDeliveryAsync(ClaimedDelivery claimed, DeliveryAttempt attempt, WebhookPolicy policy, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var row = await scope.Connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @Id{LockRow}", new { claimed.Delivery.Id }, scope.Transaction, cancellationToken: cancellationToken));
        if (row is null || row.LeaseToken != claimed.LeaseToken || row.Status != DeliveryStatus.Pending)
        {
            return false;
        }

        var attempts = (int)row.Attempts + 1;
        var next = attempt.Succeeded || attempt.Gone ? null : policy.NextAttempt(attempts, DateTimeOffset.FromUnixTimeMilliseconds(row.WindowStart), now, Random.Shared.NextDouble());
        var status = attempt.Succeeded ? DeliveryStatus.Delivered : next is null ? DeliveryStatus.Failed : DeliveryStatus.Pending;
        await scope.ExecuteAsync(
            """
            UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at = @next, last_attempt_at = @now,
                last_response_code = @ResponseCode, last_response_body = @ResponseBody, last_error = @Error, delivered_at = @delivered
            WHERE id = @id
            """,
            new
            {
                id = row.Id,
                status,
                attempts,
                next = Ms(next),
                now = Ms(now),
                attempt.ResponseCode,
                attempt.ResponseBody,
                attempt.Error,
                delivered = attempt.Succeeded ? Ms(now) : (long?)null,
            },
            cancellationToken);
        await RecordEndpointHealthAsync(scope, row.EndpointId, attempt, policy, now, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A success ends the endpoint's failing; a 410 disables it; failing for <see cref="WebhookPolicy.DisableAfter"/> does too.</summary>
    private static Task RecordEndpointHealthAsync(WriteScope scope, string endpointId, DeliveryAttempt attempt, WebhookPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (attempt.Succeeded)
        {
            return scope.ExecuteAsync("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = @endpointId", new { endpointId }, cancellationToken);
        }

        if (attempt.Gone)
        {
            return scope.ExecuteAsync(
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = @reason, updated_at = @now WHERE id = @endpointId",
                new { endpointId, reason = "The endpoint answered 410 Gone.", now = Ms(now) },
                cancellationToken);
        }

        // Right-hand sides read the row as it was, on both databases.
        return scope.ExecuteAsync(
            """
            UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, @now),
                enabled = CASE WHEN COALESCE(failing_since, @now) <= @disableBefore THEN 0 ELSE enabled END,
                disabled_reason = CASE WHEN enabled = 1 AND COALESCE(failing_since, @now) <= @disableBefore THEN @reason ELSE disabled_reason END
            WHERE id = @endpointId
            """,
            new
            {
                endpointId,
                now = Ms(now),
                disableBefore = Ms(now - policy.DisableAfter),
                reason = $"Every delivery failed for {policy.DisableAfter} (the last: {attempt.Error ?? $"HTTP {attempt.ResponseCode}"}).",
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string endpointId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookDelivery>>(
            async connection => [.. (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE endpoint_id = @endpointId ORDER BY created_at DESC, event_id DESC LIMIT @limit",
                new { endpointId, limit },
                cancellationToken: cancellationToken))).Select(r => r.ToDelivery())],
            cancellationToken);

    public Task<WebhookDelivery?> GetDeliveryAsync(string endpointId, string deliveryId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => (await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE endpoint_id = @endpointId AND id = @deliveryId",
                new { endpointId, deliveryId },
                cancellationToken: cancellationToken)))?.ToDelivery(),
            cancellationToken);

    public async Task<bool> RedeliverAsync(string endpointId, string deliveryId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var changed = await scope.ExecuteAsync(
            """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, window_start = @now, next_attempt_at = @now, delivered_at = NULL
            WHERE endpoint_id = @endpointId AND id = @deliveryId AND status <> 'pending'
            """,
            new { endpointId, deliveryId, now = Ms(Time.GetUtcNow()) },
            cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<int> DeleteDeliveriesAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var deleted = await scope.ExecuteAsync(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < @before", new { before = Ms(before) }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return deleted;
    }

    private sealed class DeliveryRow
    {
        public string Id { get; set; } = "";

        public string EndpointId { get; set; } = "";

        public long EventId { get; set; }

        public string EventType { get; set; } = "";

        public string Payload { get; set; } = "";

        public string Status { get; set; } = "";

        public long Attempts { get; set; }

        public long CreatedAt { get; set; }

        public long? NextAttemptAt { get; set; }

        public long? LastAttemptAt { get; set; }

        public long? LastResponseCode { get; set; }

        public string? LastResponseBody { get; set; }

        public string? LastError { get; set; }

        public long? DeliveredAt { get; set; }

        public long WindowStart { get; set; }

        public long LeaseToken { get; set; }

        public WebhookDelivery ToDelivery() => new(
            Id,
            EndpointId,
            EventId,
            EventType,
            Payload,
            Status,
            (int)Attempts,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            FromMs(NextAttemptAt),
            FromMs(LastAttemptAt),
            (int?)LastResponseCode,
            LastResponseBody,
            LastError,
            FromMs(DeliveredAt));
    }
}
