using System.Text.Json;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Tests.Stores;

/// <summary>The webhook outbox on every store: dispatching events into deliveries, leases, retries and giving up.</summary>
public abstract partial class JobStoreContract
{
    private static readonly WebhookPolicy Policy = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1));

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(40);

    private IWebhookStore Webhooks => (IWebhookStore)Store;

    private async Task<WebhookEndpoint> EndpointAsync(string id, bool enabled = true, params string[] events)
    {
        var endpoint = new WebhookEndpoint(id, $"https://hooks.example.com/{id}", events, enabled, "whsec_" + Convert.ToBase64String(new byte[32]), Clock.GetUtcNow(), Clock.GetUtcNow());
        await Webhooks.CreateEndpointAsync(endpoint, None);
        return endpoint;
    }

    /// <summary>Dispatches every event the store holds after the dispatched position, as the dispatcher does.</summary>
    private async Task<int> DispatchAsync(IWebhookStore? store = null)
    {
        store ??= Webhooks;
        var events = await ((IJobEvents)store).EventsAsync(new EventQuery(await store.DispatchedThroughAsync(None)), None);
        return await store.DispatchAsync(events, None);
    }

    private async Task<ClaimedDelivery> ClaimOneAsync()
    {
        var claimed = Assert.Single(await Webhooks.ClaimDeliveriesAsync(1, Lease, None));
        return claimed;
    }

    [Fact]
    public async Task Each_event_becomes_one_delivery_per_enabled_endpoint_that_takes_its_type_and_only_once()
    {
        await EndpointAsync("wh_all");
        await EndpointAsync("wh_cancelled", true, JobEventTypes.Cancelled);
        await EndpointAsync("wh_off", enabled: false);
        var job = await Create();
        await Store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), None);

        Assert.Equal(3, await DispatchAsync());
        var events = await ((IJobEvents)Store).EventsAsync(new EventQuery(0), None);
        Assert.Equal(events[^1].Id, await Webhooks.DispatchedThroughAsync(None));
        // Again, and from another instance with the same batch: nothing doubles.
        Assert.Equal(0, await DispatchAsync());
        Assert.Equal(0, await Webhooks.DispatchAsync(events, None));
        Assert.Equal(0, await ((IWebhookStore)await NewStoreAsync(Options)).DispatchAsync(events, None));

        var all = await Webhooks.DeliveriesAsync("wh_all", 10, None);
        Assert.Equal([JobEventTypes.Cancelled, JobEventTypes.Queued], all.Select(d => d.EventType));
        Assert.All(all, d => Assert.Equal((DeliveryStatus.Pending, 0, Clock.GetUtcNow()), (d.Status, d.Attempts, d.NextAttemptAt!.Value)));
        using var payload = JsonDocument.Parse(all[1].Payload);
        Assert.Equal(events[0].Id, payload.RootElement.GetProperty("id").GetInt64());
        Assert.Equal(job.ContentId, payload.RootElement.GetProperty("contentId").GetString());
        Assert.Equal([JobEventTypes.Cancelled], (await Webhooks.DeliveriesAsync("wh_cancelled", 10, None)).Select(d => d.EventType));
        Assert.Empty(await Webhooks.DeliveriesAsync("wh_off", 10, None));
        Assert.NotEqual(all[0].Id, all[1].Id);
    }

    [Fact]
    public async Task Two_claimers_never_hold_the_same_delivery()
    {
        await EndpointAsync("wh_1");
        for (var i = 0; i < 24; i++)
        {
            await Create(user: $"user_{i}");
        }

        Assert.Equal(24, await DispatchAsync());
        var claimers = new[] { (IWebhookStore)await NewStoreAsync(Options), (IWebhookStore)await NewStoreAsync(Options) };
        var claims = await Task.WhenAll(claimers.Select(async store =>
        {
            var mine = new List<string>();
            while (await store.ClaimDeliveriesAsync(3, Lease, None) is { Count: > 0 } claimed)
            {
                mine.AddRange(claimed.Select(c => c.Delivery.Id));
            }

            return mine;
        }));

        var every = claims.SelectMany(c => c).ToList();
        Assert.Equal(24, every.Count);
        Assert.Equal(24, every.Distinct().Count());

        // Leased: nothing is due until the lease ends, then everything is again.
        Assert.Empty(await Webhooks.ClaimDeliveriesAsync(50, Lease, None));
        Clock.Advance(Lease);
        Assert.Equal(24, (await Webhooks.ClaimDeliveriesAsync(50, Lease, None)).Count);
    }

    [Fact]
    public async Task Only_the_current_lease_holder_records_an_attempt()
    {
        await EndpointAsync("wh_1");
        await Create();
        await DispatchAsync();
        var first = await ClaimOneAsync();
        Clock.Advance(Lease);
        var second = await ClaimOneAsync();

        Assert.False(await Webhooks.FinishDeliveryAsync(first, new DeliveryAttempt(200, "ok", null), Policy, None));
        Assert.True(await Webhooks.FinishDeliveryAsync(second, new DeliveryAttempt(204, null, null), Policy, None));
        var delivered = (await Webhooks.GetDeliveryAsync("wh_1", second.Delivery.Id, None))!;
        Assert.Equal((DeliveryStatus.Delivered, 1, (int?)204, (DateTimeOffset?)Clock.GetUtcNow(), (DateTimeOffset?)null),
            (delivered.Status, delivered.Attempts, delivered.LastResponseCode, delivered.DeliveredAt, delivered.NextAttemptAt));
        Assert.False(await Webhooks.FinishDeliveryAsync(second, new DeliveryAttempt(500, null, "HTTP 500"), Policy, None));
    }

    [Fact]
    public async Task Failed_attempts_back_off_doubling_with_jitter_until_the_retry_window_ends_then_fail()
    {
        await EndpointAsync("wh_1");
        await Create();
        await DispatchAsync();
        var created = Clock.GetUtcNow();

        var delays = new List<TimeSpan>();
        WebhookDelivery delivery;
        while (true)
        {
            var claimed = await ClaimOneAsync();
            var attemptAt = Clock.GetUtcNow();
            Assert.True(await Webhooks.FinishDeliveryAsync(claimed, new DeliveryAttempt(500, "down", "HTTP 500"), Policy, None));
            delivery = (await Webhooks.GetDeliveryAsync("wh_1", claimed.Delivery.Id, None))!;
            if (delivery.Status != DeliveryStatus.Pending)
            {
                break;
            }

            delays.Add(delivery.NextAttemptAt!.Value - attemptAt);
            Assert.Empty(await Webhooks.ClaimDeliveriesAsync(1, Lease, None));
            Clock.Advance(delivery.NextAttemptAt!.Value - attemptAt);
        }

        // 5 s, 10 s, 20 s, 40 s (each up to a quarter more), then the 1 min cap, until the window's end: the last attempt.
        for (var i = 0; i < 4; i++)
        {
            Assert.InRange(delays[i].TotalSeconds, 5 * Math.Pow(2, i), 5 * Math.Pow(2, i) * 1.25);
        }

        Assert.All(delays.Skip(4).SkipLast(1), d => Assert.Equal(TimeSpan.FromMinutes(1), d));
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(created + Policy.RetryFor, delivery.LastAttemptAt);
        Assert.Equal(delays.Count + 1, delivery.Attempts);
        Assert.Equal((500, "down", "HTTP 500"), (delivery.LastResponseCode!.Value, delivery.LastResponseBody, delivery.LastError));

        // An admin's redelivery: due now, with a fresh window; a pending one cannot be redelivered.
        Assert.True(await Webhooks.RedeliverAsync("wh_1", delivery.Id, None));
        Assert.False(await Webhooks.RedeliverAsync("wh_1", delivery.Id, None));
        Assert.False(await Webhooks.RedeliverAsync("wh_1", "msg_missing", None));
        var again = await ClaimOneAsync();
        Assert.Equal((delivery.Id, 0), (again.Delivery.Id, again.Delivery.Attempts));
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_so_does_failing_past_disable_after()
    {
        // Retried for longer than it takes to disable the endpoint.
        var policy = Policy with { RetryFor = TimeSpan.FromDays(1) };
        await EndpointAsync("wh_gone");
        await EndpointAsync("wh_down");
        await Create();
        await DispatchAsync();

        foreach (var claimed in await Webhooks.ClaimDeliveriesAsync(10, Lease, None))
        {
            var gone = claimed.Delivery.EndpointId == "wh_gone";
            await Webhooks.FinishDeliveryAsync(claimed, new DeliveryAttempt(gone ? 410 : 503, null, gone ? "HTTP 410" : "HTTP 503"), policy, None);
        }

        var disabled = (await Webhooks.GetEndpointAsync("wh_gone", None))!;
        Assert.False(disabled.Enabled);
        Assert.Contains("410", disabled.DisabledReason);
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(await Webhooks.DeliveriesAsync("wh_gone", 10, None)).Status);
        var down = (await Webhooks.GetEndpointAsync("wh_down", None))!;
        Assert.Equal((true, (DateTimeOffset?)Clock.GetUtcNow()), (down.Enabled, down.FailingSince));

        // Events of a disabled endpoint make no deliveries; the failing one still gets its own.
        await Create(user: "user_2");
        Assert.Equal(1, await DispatchAsync());

        // Failing without a success for DisableAfter: disabled, and its deliveries wait.
        Clock.Advance(policy.DisableAfter);
        foreach (var claimed in await Webhooks.ClaimDeliveriesAsync(10, Lease, None))
        {
            await Webhooks.FinishDeliveryAsync(claimed, new DeliveryAttempt(null, null, "No answer within 10 s."), policy, None);
        }

        down = (await Webhooks.GetEndpointAsync("wh_down", None))!;
        Assert.False(down.Enabled);
        Assert.Contains("No answer within 10 s.", down.DisabledReason);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Webhooks.ClaimDeliveriesAsync(10, Lease, None));

        // Enabled again by an admin: afresh, and its pending deliveries resume.
        var enabled = (await Webhooks.UpdateEndpointAsync("wh_down", down.Url, [], enabled: true, None))!;
        Assert.Equal((true, (string?)null, (DateTimeOffset?)null), (enabled.Enabled, enabled.DisabledReason, enabled.FailingSince));
        Assert.NotEmpty(await Webhooks.ClaimDeliveriesAsync(10, Lease, None));
        Assert.True(await Webhooks.DeleteEndpointAsync("wh_down", None));
        Assert.Empty(await Webhooks.DeliveriesAsync("wh_down", 10, None));
        Assert.Null(await Webhooks.GetEndpointAsync("wh_down", None));
    }
}
