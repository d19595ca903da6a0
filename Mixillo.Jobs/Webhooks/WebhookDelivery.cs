namespace Mixillo.Jobs.Webhooks;

/// <summary>
/// One event for one endpoint (the outbox row): the body is fixed when the event is dispatched, and its id is the
/// <c>webhook-id</c> of every attempt, so a receiver can drop repeats.
/// </summary>
/// <param name="Status">One of <see cref="DeliveryStatus"/>.</param>
/// <param name="NextAttemptAt">When it is tried next (while one is in flight: when its lease ends); null once delivered or failed.</param>
public sealed record WebhookDelivery(
    string Id,
    string EndpointId,
    long EventId,
    string EventType,
    string Payload,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? LastResponseCode,
    string? LastResponseBody,
    string? LastError,
    DateTimeOffset? DeliveredAt);

public static class DeliveryStatus
{
    /// <summary>Waiting for its first or next attempt, or in flight.</summary>
    public const string Pending = "pending";

    /// <summary>The endpoint answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up: out of retry time, or the endpoint answered 410.</summary>
    public const string Failed = "failed";
}

/// <summary>A delivery a sender holds under a lease until <see cref="WebhookDelivery.NextAttemptAt"/>; its result counts only with the current token.</summary>
public sealed record ClaimedDelivery(WebhookDelivery Delivery, string Url, string Secret, long LeaseToken);

/// <summary>What one attempt got: a response (code and the start of its body) or an error in the service's own words.</summary>
public sealed record DeliveryAttempt(int? ResponseCode, string? ResponseBody, string? Error)
{
    /// <summary>As Standard Webhooks has it: any 2xx is delivered, whatever the body says.</summary>
    public bool Succeeded => ResponseCode is >= 200 and < 300;

    /// <summary>The receiver says the endpoint is gone for good: it is disabled.</summary>
    public bool Gone => ResponseCode == 410;
}
