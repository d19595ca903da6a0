using System.Threading.Channels;
using Mixillo.Jobs.Events;

namespace Mixillo.Api.Events;

/// <summary>
/// One stream's share of the live events: those its filter takes, buffered up to a limit. A client that falls
/// further behind is cut off (<see cref="Overflowed"/>) rather than make the server buffer without bound.
/// </summary>
public sealed class EventSubscription(Func<JobEvent, bool> filter, int buffer, Action<EventSubscription> unsubscribe) : IDisposable
{
    private readonly Channel<JobEvent> _events = Channel.CreateBounded<JobEvent>(new BoundedChannelOptions(buffer) { SingleReader = true, SingleWriter = true });

    public ChannelReader<JobEvent> Reader => _events.Reader;

    /// <summary>True once the buffer filled: the reader gets what was buffered, then the end.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Called by the feed, in event order.</summary>
    internal void Offer(JobEvent jobEvent)
    {
        if (Overflowed || !filter(jobEvent))
        {
            return;
        }

        if (!_events.Writer.TryWrite(jobEvent))
        {
            Overflowed = true;
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        unsubscribe(this);
        _events.Writer.TryComplete();
    }
}
