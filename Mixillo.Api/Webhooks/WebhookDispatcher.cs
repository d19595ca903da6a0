using Mixillo.Api.Events;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Webhooks;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Webhooks;

/// <summary>
/// Turns job events into webhook deliveries: reads the events after the store's dispatched position, in id order,
/// and writes their deliveries and the new position in one transaction, so a restart neither skips nor doubles an
/// event, and instances dispatching side by side skip what another already did. Woken by event commits (as the event
/// feed is), polling at most <see cref="WebhookOptions.PollInterval"/> apart. Also removes old deliveries, hourly.
/// </summary>
public sealed partial class WebhookDispatcher(
    IJobEvents events,
    IWebhookStore store,
    DeliveriesDispatched dispatched,
    WebhookOptions options,
    MigrationService migration,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweepAt = time.GetUtcNow();
        return EventFollower.RunAsync(events, migration, options.PollInterval, time, StepAsync, LogFailed, stoppingToken);

        async Task<bool> StepAsync(CancellationToken cancellationToken)
        {
            var batch = await events.EventsAsync(new EventQuery(await store.DispatchedThroughAsync(cancellationToken)), cancellationToken);
            if (batch.Count > 0 && await store.DispatchAsync(batch, cancellationToken) is > 0 and var created)
            {
                LogDispatched(created, batch[^1].Id);
                dispatched.Pulse();
            }

            if (time.GetUtcNow() >= sweepAt)
            {
                sweepAt = time.GetUtcNow() + SweepEvery;
                await store.DeleteDeliveriesAsync(time.GetUtcNow() - options.RetainFor, cancellationToken);
            }

            return batch.Count == EventQuery.DefaultLimit;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Count} webhook deliveries, through event {EventId}")]
    private partial void LogDispatched(int count, long eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatching job events to webhooks failed; trying again")]
    private partial void LogFailed(Exception exception);
}
