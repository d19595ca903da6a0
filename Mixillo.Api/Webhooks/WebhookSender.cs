using System.Diagnostics;
using Mixillo.Api.Events;
using Mixillo.Jobs.Webhooks;
using Mixillo.ServiceDefaults;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Webhooks;

/// <summary>
/// Sends due deliveries: claims up to <see cref="WebhookOptions.Concurrency"/> under a lease, sends them side by
/// side, records each attempt (only while the lease holds), and looks again at once when it had a full hand or when
/// this instance dispatched deliveries, and otherwise after <see cref="WebhookOptions.PollInterval"/>. Every API
/// instance runs one; the leases keep them off each other's deliveries.
/// </summary>
public sealed partial class WebhookSender(
    IWebhookStore store,
    WebhookClient client,
    DeliveriesDispatched dispatched,
    WebhookOptions options,
    MigrationService migration,
    TimeProvider time,
    ILogger<WebhookSender> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await EventFollower.StoreReadyAsync(migration, stoppingToken))
        {
            return;
        }

        var policy = options.Policy;
        // Deliveries dispatched during a round are looked for at once after it.
        await HostedLoop.RunAsync(
            async cancellationToken =>
            {
                var due = await store.ClaimDeliveriesAsync(options.Concurrency, options.Lease, cancellationToken);
                await Task.WhenAll(due.Select(delivery => DeliverAsync(delivery, policy, cancellationToken)));
                return due.Count == options.Concurrency;
            },
            options.PollInterval,
            time,
            LogFailed,
            stoppingToken,
            wake: () => dispatched.Next);
    }

    private async Task DeliverAsync(ClaimedDelivery claimed, WebhookPolicy policy, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var attempt = await client.SendAsync(claimed, cancellationToken);
        WebhookTelemetry.Record(attempt, Stopwatch.GetElapsedTime(started));
        if (!await store.FinishDeliveryAsync(claimed, attempt, policy, cancellationToken))
        {
            LogLeaseLost(claimed.Delivery.Id);
        }
        else if (attempt.Gone)
        {
            LogGone(claimed.Delivery.EndpointId);
        }
        else if (!attempt.Succeeded)
        {
            LogAttemptFailed(claimed.Delivery.Id, claimed.Delivery.EndpointId, attempt.Error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} failed: {Error}")]
    private partial void LogAttemptFailed(string deliveryId, string endpointId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} answered 410 Gone: disabled")]
    private partial void LogGone(string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} outlived its lease; its attempt was not recorded (it is sent again)")]
    private partial void LogLeaseLost(string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending webhook deliveries failed; trying again")]
    private partial void LogFailed(Exception exception);
}
