namespace Mixillo.Jobs.Webhooks;

/// <summary>
/// A receiver of job events: where they go, which types, and its signing secret (<c>whsec_</c> + base64 of 32 bytes,
/// shown to the admin once, kept here because every delivery is signed with it).
/// </summary>
/// <param name="Events">The event types it takes; empty: every type.</param>
/// <param name="DisabledReason">Why the service disabled it (a 410, or failing for too long); null when an admin did, or it is enabled.</param>
/// <param name="FailingSince">The first failed attempt since the last success; null while deliveries succeed.</param>
public sealed record WebhookEndpoint(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string Secret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? DisabledReason = null,
    DateTimeOffset? FailingSince = null)
{
    public bool Takes(string eventType) => Events.Count == 0 || Events.Contains(eventType, StringComparer.Ordinal);
}
