using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Storage;

/// <summary>The storage contract against a real S3 server (signatures checked, multipart for real).</summary>
[Collection(DistributedCollection.Name)]
public sealed class S3StorageTests(DistributedFixture servers) : ObjectStorageContract
{
    protected override Task<IObjectStorage> CreateAsync(long multipartThreshold) =>
        Task.FromResult<IObjectStorage>(new S3Storage(servers.NewBucket(multipartThreshold)));

    protected override async Task<byte[]?> FetchPresignedAsync(string url)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(url);
    }

    [Fact]
    public async Task The_health_check_fails_when_the_bucket_is_missing()
    {
        using var missing = new S3Storage(servers.NewBucket());
        await Assert.ThrowsAsync<Amazon.S3.Model.NoSuchBucketException>(() => missing.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task S3_hands_out_presigned_urls()
    {
        Assert.NotNull(await Storage.PresignReadAsync("videos/any/720p.mp4", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_at_initialization()
    {
        using var storage = new S3Storage(servers.NewBucket() with { SecretKey = "wrong" });
        await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => storage.InitializeAsync(CancellationToken.None));
    }
}
