using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Worker.Core;

/// <summary>
/// Every service that uses the store migrates its schema at start (PostgreSQL serialises instances under an
/// advisory lock) and ensures the storage bucket, so an API is healthy without waiting for a worker. Either may
/// be away for a while under an orchestrator: transient failures are retried until they succeed. A store that
/// refuses for good stops the host; so does storage that refuses us (bad credentials, no bucket), which would
/// otherwise burn every job's retries.
/// </summary>
public sealed partial class MigrationService(
    ISchemaMigrator store,
    IObjectStorage storage,
    IHostApplicationLifetime lifetime,
    ILogger<MigrationService> logger) : BackgroundService
{
    private static readonly TimeSpan TransientPause = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _storeReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly TaskCompletionSource _storageReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the schema is current; claims wait for it.</summary>
    public Task StoreReady => _storeReady.Task;

    /// <summary>Completes once the bucket (or folder) exists and answers; cancelled when storage refuses or the host stops first.</summary>
    public Task StorageReady => _storageReady.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Side by side: storage that refuses us stops the host at once, even while the store is still away.
        var storageReady = EnsureStorageAsync(stoppingToken);
        try
        {
            await UntilDoneAsync(store.InitializeAsync, StoreErrors.IsTransient, stoppingToken);
        }
        catch (Exception ex)
        {
            _storeReady.TrySetException(ex);
            // The host stops on this failure; the storage attempt ends with it.
            _ = storageReady.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        if (stoppingToken.IsCancellationRequested)
        {
            _storeReady.TrySetCanceled(stoppingToken);
        }
        else
        {
            _storeReady.TrySetResult();
        }

        await storageReady;
    }

    private async Task EnsureStorageAsync(CancellationToken stoppingToken)
    {
        try
        {
            await UntilDoneAsync(storage.InitializeAsync, StorageErrors.IsTransient, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogStorageRefused(ex);
            _storageReady.TrySetCanceled(CancellationToken.None);
            lifetime.StopApplication();
            return;
        }

        if (stoppingToken.IsCancellationRequested)
        {
            _storageReady.TrySetCanceled(stoppingToken);
        }
        else
        {
            _storageReady.TrySetResult();
        }
    }

    /// <summary>Runs <paramref name="initialize"/> until it succeeds, pausing after each transient failure; anything else is thrown.</summary>
    private async Task UntilDoneAsync(Func<CancellationToken, Task> initialize, Func<Exception, bool> transient, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await initialize(stopping);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (transient(ex))
            {
                LogTransient(ex.Message);
                try
                {
                    await Task.Delay(TransientPause, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Storage refused this service; stopping")]
    private partial void LogStorageRefused(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store or storage unavailable at start, trying again: {Reason}")]
    private partial void LogTransient(string reason);
}
