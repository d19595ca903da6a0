using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Mixillo.Worker.Redis;

/// <summary>
/// Redis, the API instances' shared memory, when <c>ConnectionStrings:redis</c> is set (the AppHost sets it); without
/// it everything works in-process. PostgreSQL stays the system of record: Redis holds nothing that cannot be lost.
/// </summary>
public static class RedisExtensions
{
    public const string ConnectionName = "redis";

    /// <summary>The channel on which a process says it committed job events (the message is empty: readers read the store).</summary>
    public const string EventsChannel = "mixillo:events";

    /// <summary>
    /// Registers the Redis client (Aspire's: tracing, logging; it reconnects by itself), a <c>redis</c> health check that
    /// says Degraded while Redis is away (the service still works, per instance), and the relay of this process's
    /// committed events. Returns false, registering nothing, when no Redis is configured.
    /// </summary>
    public static bool AddMixilloRedis(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            return false;
        }

        // Aspire's own check would say Unhealthy, taking the instance out of rotation for a loss it survives.
        builder.AddRedisClient(ConnectionName, settings => settings.DisableHealthChecks = true, options => options.AbortOnConnectFail = false);
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(ConnectionName, HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(5));
        builder.Services.AddHostedService<EventRelay>();
        return true;
    }
}
