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
