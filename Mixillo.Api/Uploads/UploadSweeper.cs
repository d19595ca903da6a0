namespace Mixillo.Api.Uploads;

/// <summary>Removes abandoned uploads (past <see cref="UploadOptions.ExpireAfter"/>) every so often.</summary>
public sealed partial class UploadSweeper(UploadService uploads, ILogger<UploadSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Every, stoppingToken);
                if (await uploads.RemoveExpiredAsync(stoppingToken) is > 0 and var removed)
                {
                    LogRemoved(removed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} abandoned uploads")]
    private partial void LogRemoved(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping abandoned uploads failed; trying again later")]
    private partial void LogFailed(Exception exception);
}
