namespace Mixillo.ServiceDefaults;

/// <summary>
/// The loop of a periodic hosted service: a step, then a wait, until the host stops. A step that fails is reported
/// and the loop goes on; stopping ends the wait and the loop, never with an exception.
/// </summary>
public static class HostedLoop
{
    /// <param name="step">Returns true when there is more to do at once (a full batch): the next step runs without waiting.</param>
    /// <param name="every">The longest wait between steps.</param>
    /// <param name="failed">Reports a step that threw (other than by stopping); the next step comes after the usual wait.</param>
    /// <param name="wake">Taken before each step; when it completes, the wait after the step ends early.</param>
    public static async Task RunAsync(
        Func<CancellationToken, Task<bool>> step, TimeSpan every, TimeProvider time, Action<Exception> failed, CancellationToken stopping, Func<Task>? wake = null)
    {
        while (!stopping.IsCancellationRequested)
        {
            var woken = wake?.Invoke();
            var more = false;
            try
            {
                more = await step(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failed(ex);
            }

            if (!more)
            {
                var pause = Task.Delay(every, time, stopping);
                // Never throws: WhenAny completes with the first, faulted or cancelled alike.
                await (woken is null ? Task.WhenAny(pause) : Task.WhenAny(pause, woken));
            }
        }
    }

    /// <inheritdoc cref="RunAsync(Func{CancellationToken, Task{bool}}, TimeSpan, TimeProvider, Action{Exception}, CancellationToken, Func{Task})"/>
    public static Task RunAsync(Func<CancellationToken, Task> step, TimeSpan every, TimeProvider time, Action<Exception> failed, CancellationToken stopping) =>
        RunAsync(
            async cancellationToken =>
            {
                await step(cancellationToken);
                return false;
            },
            every,
            time,
            failed,
            stopping);
}
