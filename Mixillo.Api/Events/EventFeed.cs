using System.Collections.Concurrent;
using Mixillo.Jobs.Events;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Events;

/// <summary>
/// This API instance's one reader of the job events: it follows the store in id order (woken by commits, polling
/// at most <see cref="EventOptions.PollInterval"/> apart) and hands each event to the streams that want it, so a
/// thousand open streams cost one query per wake-up, not a thousand. Also removes events past
/// <see cref="EventOptions.RetainFor"/>, hourly.
/// </summary>
public sealed partial class EventFeed(IJobEvents events, EventOptions options, MigrationService migration, TimeProvider time, ILogger<EventFeed> logger)
    : BackgroundService
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<EventSubscription, byte> _subscriptions = new();
    private readonly EventSignal _wake = new();

    /// <summary>Look now: another process says it committed events (through Redis).</summary>
    public void Wake() => _wake.Pulse();

    /// <summary>
    /// Live events from now on that <paramref name="filter"/> takes. Subscribe before reading the history a stream
    /// resumes from: an event is then in that history or comes here (a stream skips ids it has sent).
    /// </summary>
    public EventSubscription Subscribe(Func<JobEvent, bool> filter)
    {
        var subscription = new EventSubscription(filter, options.ClientBuffer, s => _subscriptions.TryRemove(s, out _));
        _subscriptions[subscription] = 0;
        return subscription;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? last = null;
        var sweepAt = time.GetUtcNow();
        return EventFollower.RunAsync(events, migration, options.PollInterval, time, StepAsync, LogFailed, stoppingToken, _wake);

        async Task<bool> StepAsync(CancellationToken cancellationToken)
        {
            // Starts at the newest event: streams read what came before from the store themselves.
            last ??= await events.LastEventIdAsync(null, cancellationToken);
            var batch = await events.EventsAsync(new EventQuery(last.Value), cancellationToken);
            foreach (var jobEvent in batch)
            {
                foreach (var subscription in _subscriptions.Keys)
                {
                    subscription.Offer(jobEvent);
                }

                last = jobEvent.Id;
            }

            if (time.GetUtcNow() >= sweepAt)
            {
                sweepAt = time.GetUtcNow() + SweepEvery;
                if (await events.DeleteEventsAsync(time.GetUtcNow() - options.RetainFor, cancellationToken) is > 0 and var removed)
                {
                    LogRemoved(removed);
                }
            }

            return batch.Count == EventQuery.DefaultLimit;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} job events past their retention")]
    private partial void LogRemoved(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading job events failed; trying again")]
    private partial void LogFailed(Exception exception);
}
