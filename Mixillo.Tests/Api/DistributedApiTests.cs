using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Support;
using Mixillo.Tests.Worker;

namespace Mixillo.Tests.Api;

/// <summary>The distributed configuration through the API: PostgreSQL, a real S3 server, the worker as a separate process.</summary>
[Collection(DistributedCollection.Name)]
public sealed class DistributedApiTests(DistributedFixture servers, Clips clips)
{
    [Fact]
    public async Task An_upload_through_the_api_is_processed_by_a_separate_worker_and_served_from_s3()
    {
        await using var deployment = new Deployment(await servers.DeploymentSettingsAsync(Uploads.QuickJobs()));
        await deployment.InitializeAsync();
        using var api = new ApiFactory(deployment.Settings);
        using var worker = deployment.StartWorkerProcess();
        try
        {
            var client = await api.ClientAsync("erin");
            var (uploadId, contentId, _) = await Uploads.SendAsync(client, clips["portrait"]);

            JsonElement content;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                await Task.Delay(300);
                content = JsonDocument.Parse(await client.GetStringAsync($"/api/content/{contentId}")).RootElement.GetProperty("data");
            }
            while (content.GetProperty("status").GetString() == "processing" && clock.Elapsed < TimeSpan.FromMinutes(2));

            Assert.Equal("ready", content.GetProperty("status").GetString());
            var anonymous = api.CreateClient();
            var master = await anonymous.GetStringAsync(content.GetProperty("playback").GetProperty("hls").GetString());
            Assert.Contains("360p/playlist.m3u8", master, StringComparison.Ordinal);
            // Whole files come as presigned S3 URLs, readable with no credentials; manifests through the API.
            var renditionUrl = content.GetProperty("playback").GetProperty("renditions")[0].GetProperty("url").GetString()!;
            Assert.StartsWith(servers.S3.ServiceUrl, renditionUrl, StringComparison.Ordinal);
            using var plain = new HttpClient();
            var rendition = await plain.GetAsync(renditionUrl);
            Assert.Equal("video/mp4", rendition.Content.Headers.ContentType?.MediaType);
            Assert.Equal((await deployment.Storage.StatAsync($"videos/{contentId}/360p.mp4", CancellationToken.None))!.SizeBytes, (await rendition.Content.ReadAsByteArrayAsync()).Length);
            Assert.StartsWith("/media/", content.GetProperty("playback").GetProperty("hls").GetString(), StringComparison.Ordinal);
            var segment = await anonymous.GetAsync($"/media/videos/{contentId}/hls/360p/seg_000.m4s");
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
            // S3's entity tag validates it: a cache revalidating gets 304, with the lifetime of a published file.
            var revalidation = new HttpRequestMessage(HttpMethod.Get, $"/media/videos/{contentId}/hls/360p/seg_000.m4s");
            revalidation.Headers.IfNoneMatch.Add(segment.Headers.ETag!);
            var notModified = await anonymous.SendAsync(revalidation);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Equal("public, max-age=31536000, immutable", string.Join(",", notModified.Headers.GetValues("Cache-Control")));
            Assert.Empty(await deployment.KeysAsync($"uploads/{uploadId}/chunk-"));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Two_api_instances_completing_one_upload_at_once_make_one_content()
    {
        await using var deployment = new Deployment(await servers.DeploymentSettingsAsync(Uploads.QuickJobs()));
        await deployment.InitializeAsync();
        using var first = new ApiFactory(deployment.Settings);
        using var second = new ApiFactory(deployment.Settings);
        HttpClient[] clients = [await first.ClientAsync("jane"), await second.ClientAsync("jane")];
        var uploadId = await Uploads.SendChunksAsync(clients[0], clips["portrait"]);

        var answers = await Uploads.CompleteAtOnceAsync(clients, uploadId, calls: 6);

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Accepted, $"{a.Status}: {a.Body}"));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        var job = Assert.Single((await deployment.Store.ListAsync(new JobQuery { UserId = "jane" }, CancellationToken.None)).Jobs);
        Assert.Equal(job.JobId, JsonDocument.Parse(answers[0].Body).RootElement.GetProperty("data").GetProperty("jobId").GetString());
        Assert.Equal([job.SourceFile.Key], await deployment.KeysAsync("sources/"));
        Assert.Empty(await deployment.KeysAsync($"uploads/{uploadId}/chunk-"));
    }
}
