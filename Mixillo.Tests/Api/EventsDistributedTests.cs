using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Jobs.Events;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Support;
using Mixillo.Tests.Worker;
using Mixillo.TestServers;

namespace Mixillo.Tests.Api;

/// <summary>
/// The distributed deployment with Redis, all as real processes: PostgreSQL, S3, a redis-server, two API processes and a
/// worker process. Uploads go through API A; API B streams; Redis is killed mid-run and started again.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class EventsDistributedTests(DistributedFixture servers, Clips clips)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_api_processes_share_events_and_limits_through_redis_and_lose_no_event_when_it_dies()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = await servers.DeploymentSettingsAsync(Uploads.QuickJobs());
        settings["ConnectionStrings:redis"] = redis.ConnectionString;
        settings["Auth:SigningKey"] = ApiFactory.SigningKey;
        settings["Worker:InProcess"] = "false";
        settings["Webhooks:AllowPrivateNetworks"] = "true";
        settings["Webhooks:PollInterval"] = "00:00:00.200";
        settings["Upload:MaxOpenUploadsPerUser"] = "2";
        await using var deployment = new Deployment(settings);
        await deployment.InitializeAsync();
        var a = await ApiAsync(deployment);
        var b = await ApiAsync(deployment);
        deployment.StartWorkerProcess();
        var events = (IJobEvents)deployment.Store;

        var admin = Client(b, "root", "admin");
        await Task.WhenAll(new[] { a, b }.Select(api => HealthTests.HealthBecomesAsync(Client(api, "root"), HttpStatusCode.OK, "Healthy")));
        Assert.Equal(HttpStatusCode.Created, (await Client(a, "root", "admin").PostAsJsonAsync("/api/webhooks", new { url = receiver.Url })).StatusCode);
        await using var everything = await SseClient.OpenAsync(admin, "/api/transcode/events");

        // A per-user limit counted by both: two open uploads on A, so B refuses a third.
        var dave = new[] { Client(a, "dave"), Client(b, "dave") };
        Assert.Equal(HttpStatusCode.Created, (await dave[0].PostAsJsonAsync("/api/content/upload/initialize", Upload)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await dave[0].PostAsJsonAsync("/api/content/upload/initialize", Upload)).StatusCode);
        var refused = await dave[1].PostAsJsonAsync("/api/content/upload/initialize", Upload);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("too_many_uploads", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        // A job uploaded through A: B's stream of every job sees it complete.
        var onA = Client(a, "alice");
        var onB = Client(b, "alice");
        var first = await Uploads.SendAsync(onA, clips["tiny"]);
        var live = await everything.EventsAsync(f => IsCompletion(f, first.ContentId), Patience);

        // The next one is followed on B from its start; Redis is killed while it runs, the stream dropped and resumed.
        var second = await Uploads.SendAsync(onA, clips["tiny"]);
        var seen = new List<SseFrame>();
        await using (var stream = await SseClient.OpenAsync(onB, $"/api/content/{second.ContentId}/events", lastEventId: "0"))
        {
            seen.AddRange(await stream.EventsAsync(f => f.Type == JobEventTypes.Started, Patience));
        }

        await redis.StopAsync();
        await HealthTests.HealthBecomesAsync(admin, HttpStatusCode.OK, "Degraded");
        await using (var resumed = await SseClient.OpenAsync(onB, $"/api/content/{second.ContentId}/events", lastEventId: seen[^1].Id))
        {
            seen.AddRange(await resumed.EventsAsync(f => JobEventTypes.IsFinal(f.Type!), Patience));
        }

        var stored = await events.EventsAsync(new EventQuery(0, second.ContentId), CancellationToken.None);
        Assert.Equal(JobEventTypes.Completed, stored[^1].Type);
        Assert.Equal(stored.Select(e => e.Id.ToString(CultureInfo.InvariantCulture)), seen.Select(f => f.Id));

        // Back by itself: healthy again, and a third job's events reach B as before.
        await redis.StartAgainAsync();
        await HealthTests.HealthBecomesAsync(admin, HttpStatusCode.OK, "Healthy");
        var third = await Uploads.SendAsync(onA, clips["tiny"]);
        live.AddRange(await everything.EventsAsync(f => IsCompletion(f, third.ContentId), Patience));

        // Nothing lost anywhere: B's stream of every job (open throughout) and the webhooks carry every stored event.
        var all = (await events.EventsAsync(new EventQuery(0), CancellationToken.None)).Select(e => e.Id).ToList();
        Assert.Equal(all, live.Select(f => long.Parse(f.Id!, CultureInfo.InvariantCulture)));
        var delivered = await receiver.WaitForAsync(r => Delivered(r).Count() >= all.Count, Patience);
        Assert.Equal(all, Delivered(delivered).Order());
        Assert.Equal(0, receiver.Overlaps);
    }

    private static readonly object Upload = new { fileName = "clip.mp4", fileSize = 1000, mimeType = "video/mp4" };

    private static bool IsCompletion(SseFrame frame, string contentId) =>
        frame.Type == JobEventTypes.Completed && frame.Json.GetProperty("contentId").GetString() == contentId;

    private static IEnumerable<long> Delivered(IEnumerable<ReceivedWebhook> received) =>
        received.Where(r => r.Answered == 200).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetInt64()).Distinct();

    private static async Task<Uri> ApiAsync(Deployment deployment)
    {
        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ChildProcess.FreePort()}"));
        deployment.StartApiProcess(url.ToString().TrimEnd('/'));
        await Answering.WaitAsync(new HttpClient { BaseAddress = url }, "/health", Patience, "the API to answer /health");
        return url;
    }

    private static HttpClient Client(Uri api, string user, string? role = null)
    {
        var client = new HttpClient { BaseAddress = api };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.Token(user, role));
        return client;
    }
}
