using System.Text.Json.Nodes;
using Mixillo.Api.Events;
using Mixillo.Jobs.Events;

namespace Mixillo.Tests.Unit;

/// <summary>A stream's share of the live events: filtered, buffered up to a limit, cut off (not grown) past it.</summary>
public class EventSubscriptionTests
{
    private static JobEvent Event(long id, string contentId = "content_a") =>
        new(id, JobEventTypes.Progress, DateTimeOffset.UnixEpoch, contentId, "job_a", "user_a", new JsonObject());

    [Fact]
    public async Task A_client_that_falls_a_buffer_behind_gets_what_was_buffered_then_the_end_and_is_forgotten()
    {
        EventSubscription? forgotten = null;
        var subscription = new EventSubscription(e => e.ContentId == "content_a", buffer: 2, s => forgotten = s);
        subscription.Offer(Event(1));
        subscription.Offer(Event(2, "content_b"));
        subscription.Offer(Event(3));
        Assert.False(subscription.Overflowed);

        subscription.Offer(Event(4));
        Assert.True(subscription.Overflowed);
        subscription.Offer(Event(5));

        var read = new List<long>();
        await foreach (var jobEvent in subscription.Reader.ReadAllAsync())
        {
            read.Add(jobEvent.Id);
        }

        Assert.Equal([1, 3], read);
        subscription.Dispose();
        Assert.Same(subscription, forgotten);
    }
}
