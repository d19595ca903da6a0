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
    public async Task Players_on_allowed_origins_may_read_presigned_urls_and_others_may_not()
    {
        var local = Path.GetTempFileName();
        await File.WriteAllBytesAsync(local, new byte[500]);
        await Storage.PutFileAsync("videos/cors/720p.mp4", local, CancellationToken.None);
        File.Delete(local);
        await Storage.AllowBrowserReadsAsync(["https://player.example.com"], CancellationToken.None);
        var url = (await Storage.PresignReadAsync("videos/cors/720p.mp4", TimeSpan.FromMinutes(5)))!;

        using var http = new HttpClient();
        async Task<HttpResponseMessage> Send(HttpMethod method, string origin, params (string, string)[] headers)
        {
            var request = new HttpRequestMessage(method, url);
            request.Headers.Add("Origin", origin);
            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }

            return await http.SendAsync(request);
        }

        var get = await Send(HttpMethod.Get, "https://player.example.com", ("Range", "bytes=0-9"));
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, get.StatusCode);
        Assert.Equal("https://player.example.com", get.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Content-Range", string.Join(",", get.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);
        var preflight = await Send(HttpMethod.Options, "https://player.example.com", ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "range"));
        Assert.True(preflight.IsSuccessStatusCode, preflight.StatusCode.ToString());
        Assert.False((await Send(HttpMethod.Get, "https://evil.example.net")).Headers.Contains("Access-Control-Allow-Origin"));

        // Replaced whole: any origin now.
        await Storage.AllowBrowserReadsAsync(["*"], CancellationToken.None);
        Assert.True((await Send(HttpMethod.Get, "https://evil.example.net")).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_at_initialization()
    {
        using var storage = new S3Storage(servers.NewBucket() with { SecretKey = "wrong" });
        await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => storage.InitializeAsync(CancellationToken.None));
    }
}
