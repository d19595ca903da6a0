using Mixillo.Jobs.Webhooks;

namespace Mixillo.Api.Webhooks;

/// <summary>An endpoint's registration: <c>events</c> empty or absent means every type; <c>enabled</c> absent means true.</summary>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, bool? Enabled);

/// <summary>An endpoint as admins see it; <c>secret</c> only in the answer to its creation.</summary>
public sealed record WebhookView(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Secret = null)
{
    public static WebhookView Of(WebhookEndpoint e) => new(e.Id, e.Url, e.Events, e.Enabled, e.DisabledReason, e.FailingSince, e.CreatedAt, e.UpdatedAt);
}

/// <summary>A delivery as admins see it: its state and its last attempt, without the body (the event it carries is named).</summary>
public sealed record WebhookDeliveryView(
    string Id,
    long EventId,
    string EventType,
    string Status,
    int Attempts,
    int? LastResponseCode,
    string? LastResponseBody,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt)
{
    public static WebhookDeliveryView Of(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastResponseCode, d.LastResponseBody, d.LastError, d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt, d.CreatedAt);
}
