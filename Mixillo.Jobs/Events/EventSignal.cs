namespace Mixillo.Jobs.Events;

/// <summary>
/// Tells this process's event readers that events were committed. Every waiter wakes (unlike the queue's
/// wake-one signal); a reader takes <see cref="Next"/> before it reads, so a commit during the read still wakes it.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
