using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Jobs.Store;

namespace Mixillo.Worker.Health;

/// <summary>The job store answers a query.</summary>
internal sealed class StoreHealthCheck(IJobStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await store.PingAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
