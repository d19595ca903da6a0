namespace Mixillo.Jobs.Store;

/// <summary>
/// Wake-ups for idle claimers in this process. A wake-up that comes while nobody waits is kept for the next
/// waiter, so work queued between an empty claim and the wait is not missed; but no more are kept than there
/// are waiters (at least one), since a woken claimer claims until the queue is empty anyway, and a pile of
/// stale wake-ups after a busy spell would only buy empty claims.
/// </summary>
public sealed class WorkSignal
{
    private readonly SemaphoreSlim _pending = new(0);
    private int _waiters;

    public void Wake()
    {
        // Racy by design: at worst one extra wake-up is kept, which costs one empty claim.
        if (_pending.CurrentCount < Math.Max(1, Volatile.Read(ref _waiters)))
        {
            _pending.Release();
        }
    }

    /// <summary>Returns at the first wake-up or after <paramref name="maxWait"/>.</summary>
    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            await _pending.WaitAsync(maxWait, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }
}
