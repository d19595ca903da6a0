using Mixillo.Worker.Redis;
using StackExchange.Redis;

namespace Mixillo.Api.Events;

/// <summary>
/// Wakes this instance's <see cref="EventFeed"/> when any process (another API instance, a worker) says through Redis
/// that it committed job events. The client subscribes again by itself after Redis comes back; meanwhile the feed
/// finds events by NOTIFY (PostgreSQL) and by polling.
/// </summary>
public sealed class RedisEventWake(IConnectionMultiplexer redis, EventFeed feed) : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisExtensions.EventsChannel);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registers the handler even while Redis is away (no round trip): it takes effect when the connection is made.
        redis.GetSubscriber().Subscribe(Channel, (_, _) => feed.Wake(), CommandFlags.FireAndForget);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => redis.GetSubscriber().UnsubscribeAsync(Channel, flags: CommandFlags.FireAndForget);
}
