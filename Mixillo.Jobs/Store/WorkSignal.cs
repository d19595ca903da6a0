namespace Mixillo.Jobs.Store;

/// <summary>
/// Wake-ups for idle claimers in this process. Level-triggered: a wake-up that comes while nobody waits is
/// kept for the next waiter (up to a cap), so work queued between a failed claim and the wait is not missed.
/// </summary>
public sealed class WorkSignal
{
    private const int MaxPending = 64;
    private readonly SemaphoreSlim _pending = new(0, MaxPending);

    public void Wake()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Enough wake-ups are pending already.
        }
    }

    /// <summary>Returns at the first wake-up or after <paramref name="maxWait"/>.</summary>
    public Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken) => _pending.WaitAsync(maxWait, cancellationToken);
}
