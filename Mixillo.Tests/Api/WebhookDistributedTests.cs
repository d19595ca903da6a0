using System.Net.Http.Json;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>Two API instances on one PostgreSQL database: both dispatch and send, and still each event is delivered once, never twice at once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WebhookDistributedTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Two_instances_deliver_each_event_once_through_failures_and_never_send_one_twice_at_once()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = "postgres",
            ["ConnectionStrings:mixillo"] = await postgres.NewSchemaAsync(),
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:PollInterval"] = "00:00:00.050",
            ["Webhooks:RetryBase"] = "00:00:00.100",
            ["Webhooks:RetryMax"] = "00:00:00.300",
            ["Webhooks:Concurrency"] = "3",
        };
        await using var receiver = await WebhookReceiver.StartAsync();
        using var first = new ApiFactory(settings);
        using var second = new ApiFactory(settings);
        var admin = await first.ClientAsync("root", "admin");
        await second.ClientAsync();
        var registered = await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url });
        registered.EnsureSuccessStatusCode();

        var failUntil = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        receiver.Answer = _ => DateTime.UtcNow < failUntil ? 503 : 200;
        for (var i = 0; i < 10; i++)
        {
            var store = i % 2 == 0 ? first.Store : second.Store;
            var job = await store.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);
            await store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), CancellationToken.None);
        }

        await receiver.WaitForAsync(r => r.Count(w => w.Answered == 200) >= 20, TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        var delivered = receiver.Received.Where(r => r.Answered == 200).Select(r => r.Id).ToList();
        Assert.Equal(20, delivered.Count);
        Assert.Equal(20, delivered.Distinct().Count());
        Assert.Contains(receiver.Received, r => r.Answered == 503);
        Assert.Equal(0, receiver.Overlaps);
    }
}
