using System.Collections.Concurrent;

namespace Mixillo.Api.Uploads;

/// <summary>How many chunk uploads each user has in flight on this instance, so one user's slow connections cannot hold the server's.</summary>
public sealed class ChunkGate
{
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    /// <summary>A slot for <paramref name="userId"/>, or null when they already have <paramref name="limit"/> in flight. Dispose to free it.</summary>
    public IDisposable? TryEnter(string userId, int limit)
    {
        while (true)
        {
            var now = _inFlight.GetOrAdd(userId, 0);
            if (now >= limit)
            {
                return null;
            }

            if (_inFlight.TryUpdate(userId, now + 1, now))
            {
                return new Slot(this, userId);
            }
        }
    }

    private void Leave(string userId)
    {
        while (true)
        {
            var now = _inFlight[userId];
            if (now == 1 ? _inFlight.TryRemove(new KeyValuePair<string, int>(userId, 1)) : _inFlight.TryUpdate(userId, now - 1, now))
            {
                return;
            }
        }
    }

    private sealed class Slot(ChunkGate gate, string userId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Leave(userId);
            }
        }
    }
}
