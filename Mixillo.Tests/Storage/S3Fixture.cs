using Mixillo.Jobs.Storage;
using Mixillo.TestServers;

namespace Mixillo.Tests.Storage;

/// <summary>
/// One real S3 server (Ceph radosgw, about 2 s to start) and one PostgreSQL for the distributed tests of
/// the run; every test gets a bucket and a schema of its own.
/// </summary>
public sealed class DistributedFixture : IAsyncLifetime
{
    public CephS3Server S3 { get; private set; } = null!;

    public Stores.PostgresFixture Postgres { get; } = new();

    public async Task InitializeAsync()
    {
        var postgres = Postgres.InitializeAsync();
        S3 = await CephS3Server.StartAsync();
        await postgres;
    }

    public async Task DisposeAsync()
    {
        await S3.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>Configuration of a deployment of its own: a new PostgreSQL schema and a new bucket (plus <paramref name="more"/>).</summary>
    public async Task<Dictionary<string, string?>> DeploymentSettingsAsync(Dictionary<string, string?>? more = null)
    {
        var bucket = NewBucket(multipartThreshold: 5 * 1024 * 1024);
        var settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = "postgres",
            ["ConnectionStrings:mixillo"] = await Postgres.NewSchemaAsync(),
            ["Storage:Provider"] = "s3",
            ["Storage:S3:ServiceUrl"] = bucket.ServiceUrl,
            ["Storage:S3:AccessKey"] = bucket.AccessKey,
            ["Storage:S3:SecretKey"] = bucket.SecretKey,
            ["Storage:S3:Region"] = bucket.Region,
            ["Storage:S3:Bucket"] = bucket.Bucket,
            ["Storage:S3:MultipartThresholdBytes"] = bucket.MultipartThresholdBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>S3 settings for a new bucket.</summary>
    public S3Options NewBucket(long multipartThreshold = 16 * 1024 * 1024) => new()
    {
        ServiceUrl = S3.ServiceUrl,
        AccessKey = S3.AccessKey,
        SecretKey = S3.SecretKey,
        Region = S3.Region,
        Bucket = "b-" + Guid.NewGuid().ToString("N")[..20],
        MultipartThresholdBytes = multipartThreshold,
    };
}

[CollectionDefinition(Name)]
public sealed class DistributedCollection : ICollectionFixture<DistributedFixture>, ICollectionFixture<Support.Clips>
{
    public const string Name = "distributed";
}

/// <summary>
/// The telemetry tests, on servers of their own and alone, after every parallel collection: ASP.NET Core's
/// meters and sources are process-wide, so another test's host in this process would show up in what the API
/// under test exports (or, for a meter name it registered first, take the API's place).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<DistributedFixture>, ICollectionFixture<Support.Clips>
{
    public const string Name = "telemetry";
}
