using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Webhooks;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>Webhooks delivered over real HTTP to a receiver on loopback (so with <c>Webhooks:AllowPrivateNetworks</c>), short retries.</summary>
[Collection(MediaCollection.Name)]
public sealed class WebhookDeliveryTests(Clips clips) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly Dictionary<string, string?> Quick = new()
    {
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:RetryBase"] = "00:00:00.100",
        ["Webhooks:RetryMax"] = "00:00:00.400",
        ["Webhooks:Timeout"] = "00:00:05",
    };

    private WebhookReceiver _receiver = null!;
    private KestrelApiFactory? _api;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    private KestrelApiFactory Api(Dictionary<string, string?>? settings = null) =>
        _api = new KestrelApiFactory(new Dictionary<string, string?>(Quick.Concat(settings ?? []).GroupBy(kv => kv.Key).Select(g => g.Last())));

    private static async Task<(string Id, string Secret)> RegisterAsync(HttpClient admin, string url, params string[] events)
    {
        var data = await WebhookApiTests.DataAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url, events }));
        return (data.GetProperty("id").GetString()!, data.GetProperty("secret").GetString()!);
    }

    /// <summary>Events straight from the store, without ffmpeg: a queued event per job, and a cancelled one per job.</summary>
    private static async Task<IReadOnlyList<string>> MakeEventsAsync(KestrelApiFactory api, int jobs)
    {
        var contents = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            var job = await api.Store.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);
            await api.Store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), CancellationToken.None);
            contents.Add(job.ContentId);
        }

        return contents;
    }

    /// <summary>An endpoint of <c>job.queued</c> at the receiver, which answers <paramref name="status"/>, and one such event.</summary>
    private async Task<(KestrelApiFactory Api, HttpClient Admin, string WebhookId)> OneEventAnsweredAsync(int status)
    {
        var api = Api();
        var admin = await api.ClientAsync("root", "admin");
        var (webhookId, _) = await RegisterAsync(admin, _receiver.Url, JobEventTypes.Queued);
        _receiver.Answer = _ => status;
        await MakeEventsAsync(api, 1);
        return (api, admin, webhookId);
    }

    [Fact]
    public async Task A_jobs_events_arrive_signed_in_the_documented_way_with_the_bodies_the_streams_send()
    {
        var api = Api(new(Uploads.QuickJobs()) { ["Worker:InProcess"] = "true", ["Worker:ProgressInterval"] = "00:00:00.250" });
        var admin = await api.ClientAsync("root", "admin");
        var (_, secret) = await RegisterAsync(admin, _receiver.Url);
        var upload = await Uploads.SendAsync(await api.ClientAsync("alice"), clips["tiny"]);

        var received = await _receiver.WaitForAsync(r => r.Any(w => w.Body.Contains(JobEventTypes.Completed, StringComparison.Ordinal)), Patience);
        var events = await ((IJobEvents)api.Store).EventsAsync(new EventQuery(0, upload.ContentId), CancellationToken.None);
        Assert.Equal(events.Select(e => e.Id).Order(), received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetInt64()).Order());
        Assert.All(received, r =>
        {
            Assert.True(WebhookVerifier.Verify(secret, r.Id!, r.Timestamp!, r.Body, r.Signature!), $"signature of {r.Id}");
            Assert.False(WebhookVerifier.Verify(secret, r.Id!, r.Timestamp!, r.Body + " ", r.Signature!));
            Assert.Equal("application/json", r.ContentType);
            Assert.StartsWith("msg_", r.Id);
        });
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());

        // The body is the event exactly as the event stream sends it.
        var completed = received.Single(r => r.Body.Contains(JobEventTypes.Completed, StringComparison.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(events.Single(e => e.Type == JobEventTypes.Completed), Mixillo.Jobs.Model.JobJson.Options), completed.Body);
    }

    [Fact]
    public async Task A_receiver_failing_for_a_while_gets_every_event_once_with_the_same_id_on_every_retry_and_never_twice_at_once()
    {
        var api = Api();
        var admin = await api.ClientAsync("root", "admin");
        var (webhookId, _) = await RegisterAsync(admin, _receiver.Url);
        var failUntil = DateTime.UtcNow + TimeSpan.FromSeconds(1.5);
        _receiver.Answer = _ => DateTime.UtcNow < failUntil ? 500 : 200;
        await MakeEventsAsync(api, 6);

        var received = await _receiver.WaitForAsync(r => r.Count(w => w.Answered == 200) >= 12, Patience);
        await Task.Delay(500);
        received = _receiver.Received;
        var delivered = received.Where(r => r.Answered == 200).Select(r => r.Id).ToList();
        Assert.Equal(12, delivered.Count);
        Assert.Equal(12, delivered.Distinct().Count());
        var failed = received.Where(r => r.Answered == 500).Select(r => r.Id).Distinct().ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, id => Assert.Contains(id, delivered));
        Assert.Equal(0, _receiver.Overlaps);

        var deliveries = (await WebhookApiTests.DataAsync(await admin.GetAsync($"/api/webhooks/{webhookId}/deliveries"))).EnumerateArray().ToList();
        Assert.Equal(12, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(("delivered", 200, "thanks"), (d.GetProperty("status").GetString(), d.GetProperty("lastResponseCode").GetInt32(), d.GetProperty("lastResponseBody").GetString())));
        Assert.Contains(deliveries, d => d.GetProperty("attempts").GetInt32() > 1);

        // An admin sends one again: the same id, once more.
        var again = deliveries[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/webhooks/{webhookId}/deliveries/{again}/redeliver", null)).StatusCode);
        await _receiver.WaitForAsync(r => r.Count(w => w.Id == again && w.Answered == 200) == 2, Patience);
    }

    [Fact]
    public async Task A_delivery_leaves_as_soon_as_its_event_is_dispatched_not_at_the_senders_next_poll()
    {
        var api = Api(new() { ["Webhooks:PollInterval"] = "00:05:00" });
        var admin = await api.ClientAsync("root", "admin");
        await RegisterAsync(admin, _receiver.Url);

        var contents = await MakeEventsAsync(api, 1);

        // Well inside the five-minute poll: the dispatcher, woken by the commits, wakes the sender.
        var received = await _receiver.WaitForAsync(r => r.Count >= 2, TimeSpan.FromSeconds(30));
        // Sent side by side, so in either order.
        Assert.Equal([JobEventTypes.Cancelled, JobEventTypes.Queued], received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).Order());
        Assert.All(received, r => Assert.Equal(contents[0], JsonDocument.Parse(r.Body).RootElement.GetProperty("contentId").GetString()));
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_with_its_reason_and_no_more_is_sent()
    {
        var (api, admin, webhookId) = await OneEventAnsweredAsync(410);

        await _receiver.WaitForAsync(r => r.Count == 1, Patience);
        var endpoint = await WaitForAsync(admin, $"/api/webhooks/{webhookId}", e => !e.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", endpoint.GetProperty("disabledReason").GetString());
        var delivery = Assert.Single((await WebhookApiTests.DataAsync(await admin.GetAsync($"/api/webhooks/{webhookId}/deliveries"))).EnumerateArray());
        Assert.Equal(("failed", 410), (delivery.GetProperty("status").GetString(), delivery.GetProperty("lastResponseCode").GetInt32()));

        await MakeEventsAsync(api, 1);
        await Task.Delay(1000);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_only_the_first_4_KiB_of_an_answer_are_kept()
    {
        _receiver.ReplyBody = new string('x', 10_000);
        var (_, admin, webhookId) = await OneEventAnsweredAsync(307);

        var deliveries = await WaitForAsync(admin, $"/api/webhooks/{webhookId}/deliveries", d => d.EnumerateArray().Any(x => x.GetProperty("attempts").GetInt32() > 0));
        var delivery = Assert.Single(deliveries.EnumerateArray());
        Assert.Equal(("pending", 307), (delivery.GetProperty("status").GetString(), delivery.GetProperty("lastResponseCode").GetInt32()));
        Assert.Equal(new string('x', 4096), delivery.GetProperty("lastResponseBody").GetString());
        Assert.All(_receiver.Received, r => Assert.Equal("/hook", r.Path));
    }

    [Fact]
    public async Task Without_allow_private_networks_a_delivery_to_a_loopback_address_is_refused_at_connection()
    {
        var api = Api(new() { ["Webhooks:AllowPrivateNetworks"] = "false" });
        var admin = await api.ClientAsync("root", "admin");
        // Registration refuses it; an endpoint whose address became internal after it was registered is as if written here.
        var now = DateTimeOffset.UtcNow;
        await ((IWebhookStore)api.Store).CreateEndpointAsync(new WebhookEndpoint("wh_rebound", _receiver.Url, [], true, "whsec_" + Convert.ToBase64String(new byte[32]), now, now), CancellationToken.None);
        await MakeEventsAsync(api, 1);

        var delivery = await WaitForAsync(admin, "/api/webhooks/wh_rebound/deliveries", d => d.GetArrayLength() == 2 && d.EnumerateArray().All(x => x.GetProperty("attempts").GetInt32() > 0));
        Assert.All(delivery.EnumerateArray(), d => Assert.Contains("no public address", d.GetProperty("lastError").GetString()));
        Assert.Empty(_receiver.Received);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient admin, string path, Func<JsonElement, bool> done)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var data = await WebhookApiTests.DataAsync(await admin.GetAsync(path));
            if (done(data) || elapsed.Elapsed > Patience)
            {
                return data;
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        await _receiver.DisposeAsync();
    }
}
