using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mixillo.Worker.Health;

/// <summary>Degraded (still serving, refusing new work) when a folder this process fills is below its floor.</summary>
internal sealed class FreeSpaceHealthCheck(IEnumerable<SpaceFloors> kinds) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var low = kinds.SelectMany(kind => kind.Floors).Distinct().Select(floor => floor.Shortfall()).OfType<string>().ToList();
        return Task.FromResult(low.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded(string.Join("; ", low)));
    }
}
