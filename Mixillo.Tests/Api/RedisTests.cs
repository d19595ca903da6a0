using System.Net;
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
