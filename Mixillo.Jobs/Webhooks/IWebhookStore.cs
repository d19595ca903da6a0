using Mixillo.Jobs.Events;

namespace Mixillo.Jobs.Webhooks;

/// <summary>
/// Webhook endpoints and their deliveries (a durable outbox beside the job events): a dispatcher turns events into
/// deliveries, remembering how far it got; senders claim due deliveries under a lease, so no two send one at once.
/// </summary>
public interface IWebhookStore
{
    Task CreateEndpointAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    Task<WebhookEndpoint?> GetEndpointAsync(string endpointId, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces what an admin sets; enabling clears why it was disabled and how long it has failed. Null when there is no such endpoint.</summary>
    Task<WebhookEndpoint?> UpdateEndpointAsync(string endpointId, string url, IReadOnlyList<string> events, bool enabled, CancellationToken cancellationToken);

    /// <summary>Removes the endpoint and its deliveries; false when there was none.</summary>
    Task<bool> DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken);

    /// <summary>The id of the last event dispatched: the next dispatch reads the events after it.</summary>
    Task<long> DispatchedThroughAsync(CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: a delivery per event after the dispatched position (in id order, <paramref name="events"/>
    /// read from it) and per enabled endpoint that takes its type, and the position moved to the last. Events at or
    /// before the position are skipped, so dispatchers of several instances never double one. Returns how many deliveries.
    /// </summary>
    Task<int> DispatchAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> due deliveries of enabled endpoints, oldest due first, each leased for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(int limit, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records an attempt: delivered, retried later as <paramref name="policy"/> says, or failed; a 410 disables the
    /// endpoint, and so does failing for <see cref="WebhookPolicy.DisableAfter"/>. False when the lease was lost (nothing recorded).
    /// </summary>
    Task<bool> FinishDeliveryAsync(ClaimedDelivery claimed, DeliveryAttempt attempt, WebhookPolicy policy, CancellationToken cancellationToken);

    /// <summary>The endpoint's deliveries, newest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string endpointId, int limit, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetDeliveryAsync(string endpointId, string deliveryId, CancellationToken cancellationToken);

    /// <summary>A delivered or failed delivery is due again now, with a fresh retry window; false when there is none or it is pending.</summary>
    Task<bool> RedeliverAsync(string endpointId, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Removes delivered and failed deliveries created before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteDeliveriesAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
