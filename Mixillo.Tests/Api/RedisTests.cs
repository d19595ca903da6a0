using System.Net;
using System.Net.Http.Json;
using Mixillo.Jobs.Events;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Api;

/// <summary>
/// Two API instances on one store and one real redis-server: instance A runs the worker, instance B only serves. B's
/// feed polls the store once in five minutes, so its streams hear of A's events at once only through Redis.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class RedisTests(Clips clips) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _shared = new();
    private RedisServer _redis = null!;
    private KestrelApiFactory _a = null!;
    private KestrelApiFactory _b = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _a = Instance(worker: true);
        _b = Instance(worker: false);
    }

    private KestrelApiFactory Instance(bool worker) => new(new Dictionary<string, string?>(Uploads.QuickJobs())
    {
        ["ConnectionStrings:mixillo"] = $"Data Source={_shared.File("mixillo.db")}",
        ["Storage:Root"] = _shared.File("media"),
        ["ConnectionStrings:redis"] = _redis.ConnectionString,
        ["Worker:InProcess"] = worker ? "true" : "false",
        ["Events:PollInterval"] = "00:05:00",
        ["Upload:MaxOpenUploadsPerUser"] = "2",
        ["Upload:MaxConcurrentChunksPerUser"] = "1",
    });

    private async Task<string> CompletedOnBAsync(SseClient stream, string contentId)
    {
        var frames = await stream.EventsAsync(f => f.Json.GetProperty("contentId").GetString() == contentId, Patience);
        return frames[^1].Type!;
    }

    [Fact]
    public async Task An_event_committed_through_one_instance_reaches_a_stream_on_the_other_at_once_and_redis_going_away_loses_nothing()
    {
        var owner = await _a.ClientAsync("alice");
        var admin = await _b.ClientAsync("root", "admin");
        await HealthTests.HealthBecomesAsync(admin, HttpStatusCode.OK, "Healthy");

        await using (var stream = await SseClient.OpenAsync(admin, "/api/transcode/events?types=job.completed"))
        {
            var upload = await Uploads.SendAsync(owner, clips["tiny"]);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(JobEventTypes.Completed, await CompletedOnBAsync(stream, upload.ContentId));
            // Far inside B's own five-minute poll.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        }

        // Redis dies: B says Degraded, not Unhealthy (it still serves), and a stream resumed on B gets every event of a
        // job A completed meanwhile, from the store.
        await _redis.StopAsync();
        await HealthTests.HealthBecomesAsync(admin, HttpStatusCode.OK, "Degraded");
        var during = await Uploads.SendAsync(owner, clips["tiny"]);
        await ReadyAsync(owner, during.ContentId);
        await using (var content = await SseClient.OpenAsync(admin, $"/api/content/{during.ContentId}/events", lastEventId: "0"))
        {
            var frames = await content.EventsAsync(f => JobEventTypes.IsFinal(f.Type!), Patience);
            Assert.Equal(JobEventTypes.Completed, frames[^1].Type);
            Assert.Equal(JobEventTypes.Queued, frames[0].Type);
        }

        // Back by itself: healthy, and B's streams hear of A's events at once again.
        await _redis.StartAgainAsync();
        await HealthTests.HealthBecomesAsync(admin, HttpStatusCode.OK, "Healthy");
        await using (var stream = await SseClient.OpenAsync(admin, "/api/transcode/events?types=job.completed"))
        {
            var upload = await Uploads.SendAsync(owner, clips["tiny"]);
            Assert.Equal(JobEventTypes.Completed, await CompletedOnBAsync(stream, upload.ContentId));
        }
    }

    [Fact]
    public async Task Per_user_limits_are_shared_by_the_instances_and_fall_back_to_each_instance_while_redis_is_away()
    {
        var onA = await _a.ClientAsync("dave");
        var onB = await _b.ClientAsync("dave");
        var first = await InitializeAsync(onA);
        await InitializeAsync(onA);
        // B started before these two and has not swept since: only Redis tells it.
        var refused = await onB.PostAsJsonAsync("/api/content/upload/initialize", Upload);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("too_many_uploads", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A chunk held open on A (its body trickles), so B refuses the user's second chunk at once.
        // A plain client: the factory's clients buffer a request body before sending it.
        using var direct = new HttpClient { BaseAddress = onA.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = onA.DefaultRequestHeaders.Authorization;
        var trickle = new TrickleContent(1000);
        var held = direct.PutAsync($"/api/content/upload/{first}/chunks/0", trickle);
        await trickle.Started;
        var second = await onB.PutAsync($"/api/content/upload/{first}/chunks/0", new ByteArrayContent(new byte[1000]));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("too_many_chunks", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        trickle.Finish();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.PutAsync($"/api/content/upload/{first}/chunks/0", new ByteArrayContent(new byte[1000]))).StatusCode);

        // Without Redis each instance counts its own: B knows of none of A's uploads, and answers rather than fails.
        await _redis.StopAsync();
        Assert.Equal(HttpStatusCode.Created, (await onB.PostAsJsonAsync("/api/content/upload/initialize", Upload)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await onA.PostAsJsonAsync("/api/content/upload/initialize", Upload)).StatusCode);
    }

    private static readonly object Upload = new { fileName = "clip.mp4", fileSize = 1000, mimeType = "video/mp4" };

    private static async Task<string> InitializeAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/content/upload/initialize", Upload);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("uploadId").GetString()!;
    }

    /// <summary>A body of <c>length</c> zero bytes: one byte at once, the rest when <see cref="Finish"/> is called.</summary>
    private sealed class TrickleContent(int length) : HttpContent
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(new byte[1]);
            await stream.FlushAsync();
            // Give the server the moment to take the slot before the test goes on.
            await Task.Delay(500);
            _started.TrySetResult();
            await _finish.Task;
            await stream.WriteAsync(new byte[length - 1]);
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }

    private static async Task ReadyAsync(HttpClient client, string contentId)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(await client.GetStringAsync($"/api/content/{contentId}")).Contains("\"status\":\"ready\"", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < Patience, $"{contentId} was not ready within {Patience}");
            await Task.Delay(250);
        }
    }

        public async Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        await _redis.DisposeAsync();
        _shared.Dispose();
    }
}
