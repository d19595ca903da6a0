using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Events;
using StackExchange.Redis;

namespace Mixillo.Worker.Redis;

/// <summary>
/// Tells every API instance, through Redis, that this process committed job events, so their streams read them at
/// once. Best effort: while Redis is away the instances still find the events (PostgreSQL NOTIFY, and polling), and
/// nothing is lost, as the events themselves are in the store.
/// </summary>
public sealed partial class EventRelay(IJobEvents events, IConnectionMultiplexer redis, ILogger<EventRelay> logger) : BackgroundService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisExtensions.EventsChannel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        var committed = events.WhenEventsCommittedHere();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await committed.WaitAsync(stoppingToken);
                // Taken before publishing: a commit meanwhile is announced again.
                committed = events.WhenEventsCommittedHere();
                await redis.GetSubscriber().PublishAsync(Channel, RedisValue.EmptyString);
                if (failing)
                {
                    failing = false;
                    LogBack();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (!failing)
                {
                    failing = true;
                    LogAway(ex);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is away: committed events reach other instances through the store until it is back")]
    private partial void LogAway(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: committed events are announced through it again")]
    private partial void LogBack();
}
