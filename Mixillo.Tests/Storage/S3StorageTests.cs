using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Storage;

/// <summary>The storage contract against a real S3 server (signatures checked, multipart for real).</summary>
[Collection(DistributedCollection.Name)]
public sealed class S3StorageTests(DistributedFixture servers) : ObjectStorageContract
{
    protected override Task<IObjectStorage> CreateAsync(long multipartThreshold) =>
        Task.FromResult<IObjectStorage>(new S3Storage(servers.NewBucket(multipartThreshold)));

    [Fact]
    public async Task Wrong_credentials_are_refused_at_initialization()
    {
        using var storage = new S3Storage(servers.NewBucket() with { SecretKey = "wrong" });
        await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => storage.InitializeAsync(CancellationToken.None));
    }
}
