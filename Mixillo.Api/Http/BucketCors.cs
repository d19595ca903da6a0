using Amazon.Runtime;
using Mixillo.Errors;
using Mixillo.Jobs.Storage;
using Mixillo.Worker.Core;

namespace Mixillo.Api.Http;

/// <summary>
/// Once the bucket exists, gives it the CORS rules of <c>Cors:MediaOrigins</c>, so players on those origins can
/// fetch presigned storage URLs. Storage that refuses (credentials without the right, a gateway without CORS)
/// is logged, not fatal: playback through <c>/media</c> works regardless.
/// </summary>
internal sealed partial class BucketCors(
    MigrationService migration, IObjectStorage storage, OriginOptions origins, ILogger<BucketCors> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migration.StorageReady.WaitAsync(stoppingToken);
            await storage.AllowBrowserReadsAsync(origins.MediaOriginList, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or storage never became ready (which stops the host on its own).
        }
        catch (AmazonServiceException ex)
        {
            LogRefused(ex.ErrorCode, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage refused the bucket's CORS rules ({Code}: {Reason}); browsers on other origins cannot use presigned URLs, /media still works")]
    private partial void LogRefused(string code, string reason);
}
