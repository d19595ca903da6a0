using Mixillo.ServiceDefaults;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Uploads;

/// <summary>
/// At start, removes the upload scratch of killed API processes of this host (chunks and assembled files a chunk PUT
/// or a complete was writing). Then, at start and every so often: removes abandoned uploads (past
/// <see cref="UploadOptions.ExpireAfter"/>) and takes stock of the open ones for the per-user limits.
/// </summary>
public sealed partial class UploadSweeper(UploadService uploads, UploadOptions options, MigrationService migration, ILogger<UploadSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(10);

    /// <summary>Before the service takes requests (hosted services start before the server listens).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var abandoned in ScratchCleaner.RemoveAbandoned(options.ScratchRoot, UploadService.ScratchRole))
        {
            LogScratchRemoved(abandoned.Folder, abandoned.KilledPids.Count == 0 ? "none" : string.Join(", ", abandoned.KilledPids));
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migration.StorageReady.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or storage refused us (which stops the host).
            return;
        }

        await HostedLoop.RunAsync(
            async cancellationToken =>
            {
                if (await uploads.RemoveExpiredAsync(cancellationToken) is > 0 and var removed)
                {
                    LogRemoved(removed);
                }
            },
            Every,
            TimeProvider.System,
            LogFailed,
            stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed upload scratch of a killed API process: {Path} (orphan processes killed: {Pids})")]
    private partial void LogScratchRemoved(string path, string pids);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} abandoned uploads")]
    private partial void LogRemoved(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping abandoned uploads failed; trying again later")]
    private partial void LogFailed(Exception exception);
}
