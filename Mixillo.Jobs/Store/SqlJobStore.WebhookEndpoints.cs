using Dapper;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Jobs.Store;

/// <summary>Webhook endpoints: what an admin registers. Event types are kept comma-separated (empty: every type).</summary>
public abstract partial class SqlJobStore : IWebhookStore
{
    private const string EndpointColumns =
        "id AS Id, url AS Url, events AS Events, enabled AS Enabled, secret AS Secret, created_at AS CreatedAt, updated_at AS UpdatedAt, " +
        "disabled_reason AS DisabledReason, failing_since AS FailingSince";

    public async Task CreateEndpointAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await scope.ExecuteAsync(
            """
            INSERT INTO webhook_endpoints (id, url, events, enabled, secret, created_at, updated_at, disabled_reason, failing_since)
            VALUES (@Id, @Url, @Events, @Enabled, @Secret, @CreatedAt, @UpdatedAt, NULL, NULL)
            """,
            new
            {
                endpoint.Id,
                endpoint.Url,
                Events = string.Join(',', endpoint.Events),
                Enabled = endpoint.Enabled ? 1 : 0,
                endpoint.Secret,
                CreatedAt = Ms(endpoint.CreatedAt),
                UpdatedAt = Ms(endpoint.UpdatedAt),
            },
            cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    public Task<WebhookEndpoint?> GetEndpointAsync(string endpointId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => (await connection.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
                $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = @endpointId", new { endpointId }, cancellationToken: cancellationToken)))?.ToEndpoint(),
            cancellationToken);

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookEndpoint>>(
            async connection => [.. (await connection.QueryAsync<EndpointRow>(new CommandDefinition(
                $"SELECT {EndpointColumns} FROM webhook_endpoints ORDER BY created_at, id", cancellationToken: cancellationToken))).Select(r => r.ToEndpoint())],
            cancellationToken);

    public async Task<WebhookEndpoint?> UpdateEndpointAsync(string endpointId, string url, IReadOnlyList<string> events, bool enabled, CancellationToken cancellationToken)
    {
        await using (var scope = await BeginWriteAsync(cancellationToken))
        {
            // Enabling a disabled endpoint starts it afresh; one left enabled keeps its failing time.
            var changed = await scope.ExecuteAsync(
                """
                UPDATE webhook_endpoints SET url = @url, events = @events, updated_at = @now,
                    disabled_reason = CASE WHEN @enabled = 1 AND enabled = 1 THEN disabled_reason ELSE NULL END,
                    failing_since = CASE WHEN @enabled = 1 AND enabled = 1 THEN failing_since ELSE NULL END,
                    enabled = @enabled
                WHERE id = @endpointId
                """,
                new { endpointId, url, events = string.Join(',', events), enabled = enabled ? 1 : 0, now = Ms(Time.GetUtcNow()) },
                cancellationToken);
            if (changed == 0)
            {
                return null;
            }

            await scope.CommitAsync(cancellationToken);
        }

        return await GetEndpointAsync(endpointId, cancellationToken);
    }

    public async Task<bool> DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await scope.ExecuteAsync("DELETE FROM webhook_deliveries WHERE endpoint_id = @endpointId", new { endpointId }, cancellationToken);
        var deleted = await scope.ExecuteAsync("DELETE FROM webhook_endpoints WHERE id = @endpointId", new { endpointId }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    private sealed class EndpointRow
    {
        public string Id { get; set; } = "";

        public string Url { get; set; } = "";

        public string Events { get; set; } = "";

        public long Enabled { get; set; }

        public string Secret { get; set; } = "";

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public string? DisabledReason { get; set; }

        public long? FailingSince { get; set; }

        public WebhookEndpoint ToEndpoint() => new(
            Id,
            Url,
            Events.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Enabled != 0,
            Secret,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
            DisabledReason,
            FromMs(FailingSince));
    }

    private static DateTimeOffset? FromMs(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
