using Mixillo.Jobs.Events;
using Mixillo.ServiceDefaults;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Events;

/// <summary>
/// The loop of a service that follows the job events (the event feed, the webhook dispatcher): once the schema is
/// ready, a step reads after its position and acts; unless it read a full batch, the loop waits for the next commit
/// (this process's, or on PostgreSQL any) or the poll interval. A failed step is reported and tried again.
/// </summary>
internal static class EventFollower
{
    /// <param name="step">Returns true when more events are waiting (a full batch): the next step runs at once.</param>
    /// <param name="wake">Also wakes the loop: another process said it committed events (through Redis).</param>
    public static async Task RunAsync(
        IJobEvents events, MigrationService migration, TimeSpan pollInterval, TimeProvider time,
        Func<CancellationToken, Task<bool>> step, Action<Exception> failed, CancellationToken stoppingToken, EventSignal? wake = null)
    {
        if (!await StoreReadyAsync(migration, stoppingToken))
        {
            return;
        }

        // Taken before each read: a commit during it still wakes the next wait.
        await HostedLoop.RunAsync(
            step,
            pollInterval,
            time,
            failed,
            stoppingToken,
            wake: () => wake is null ? events.WhenEventsCommitted() : Task.WhenAny(events.WhenEventsCommitted(), wake.Next));
    }

    /// <summary>Waits for the schema; false when the host stops first.</summary>
    public static async Task<bool> StoreReadyAsync(MigrationService migration, CancellationToken stoppingToken)
    {
        try
        {
            await migration.StoreReady.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
