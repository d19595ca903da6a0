using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Health;

/// <summary>The worker's loops reached the store within <see cref="WorkerPulse.StaleAfter"/>.</summary>
internal sealed class WorkerHealthCheck(WorkerPulse pulse) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(pulse.IsStale
            ? HealthCheckResult.Unhealthy($"no heartbeat for {pulse.Age.TotalSeconds:0} s (stale after {pulse.StaleAfter.TotalSeconds:0} s)")
            : HealthCheckResult.Healthy());
}
