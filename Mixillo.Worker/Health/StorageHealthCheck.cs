using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Jobs.Storage;

namespace Mixillo.Worker.Health;

/// <summary>Object storage answers a listing (with S3: the endpoint, the credentials and the bucket), and nothing is written.</summary>
internal sealed class StorageHealthCheck(IObjectStorage storage) : IHealthCheck
{
    private const string Prefix = "health/";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var listing = storage.ListAsync(Prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await listing.MoveNextAsync();
        return HealthCheckResult.Healthy();
    }
}
