using Mixillo.Worker.Hosting;

namespace Mixillo.Api.Webhooks;

internal static class WebhookLoops
{
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
