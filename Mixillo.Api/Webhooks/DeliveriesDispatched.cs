using Mixillo.Jobs.Events;

namespace Mixillo.Api.Webhooks;

/// <summary>
/// Tells this instance's <see cref="WebhookSender"/> that its <see cref="WebhookDispatcher"/> wrote deliveries, so they
/// leave at once rather than at the sender's next poll. Other instances' senders find them by polling.
/// </summary>
public sealed class DeliveriesDispatched
{
    private readonly EventSignal _signal = new();

    /// <summary>Completes at the next <see cref="Pulse"/>: take it before looking for due deliveries.</summary>
    public Task Next => _signal.Next;

    public void Pulse() => _signal.Pulse();
}
