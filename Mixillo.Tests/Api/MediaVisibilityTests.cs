using System.Net;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Api;

/// <summary>Nothing of a job is served until the job is published: files that a publish copied ahead of completing stay unseen.</summary>
public sealed class MediaVisibilityTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync() => _anonymous = await _api.ClientAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_contents_files_are_served_only_once_its_job_has_completed()
    {
        var job = await _api.Store.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);
        string[] keys = [$"videos/{job.ContentId}/360p.mp4", $"videos/{job.ContentId}/hls/360p/seg_000.m4s"];
        foreach (var key in keys)
        {
            var local = Path.GetTempFileName();
            await File.WriteAllBytesAsync(local, new byte[1000]);
            await _api.Storage.PutFileAsync(key, local, CancellationToken.None);
            File.Delete(local);
        }

        await AssertServed(keys, HttpStatusCode.NotFound);
        var lease = (await _api.Store.ClaimAsync("worker_test", "host", CancellationToken.None)).Lease!;
        await AssertServed(keys, HttpStatusCode.NotFound);

        await _api.Store.UpdateAsync(lease, (j, now) => j.Complete(now), CancellationToken.None);
        await AssertServed(keys, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/media/videos/{job.ContentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync("/media/videos/content_none/360p.mp4")).StatusCode);
    }

    private async Task AssertServed(string[] keys, HttpStatusCode expected)
    {
        foreach (var key in keys)
        {
            Assert.Equal((key, "GET", expected), (key, "GET", (await _anonymous.GetAsync("/media/" + key)).StatusCode));
            using var head = new HttpRequestMessage(HttpMethod.Head, "/media/" + key);
            Assert.Equal((key, "HEAD", expected), (key, "HEAD", (await _anonymous.SendAsync(head)).StatusCode));
        }
    }
}
