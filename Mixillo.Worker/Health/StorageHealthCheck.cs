using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Jobs.Storage;

namespace Mixillo.Worker.Health;

/// <summary>Object storage answers and can be read (with S3: the endpoint, the credentials and the bucket); nothing is written.</summary>
internal sealed class StorageHealthCheck(IObjectStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await storage.CheckAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
