using Microsoft.Extensions.Logging;
using Mixillo.Errors;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Worker.Pipeline;

/// <summary>The stages' transfers between object storage and scratch, each counted in the stage's usage.</summary>
internal sealed partial class StageStorage(IObjectStorage storage, MediaEngine engine, ILogger<StageStorage> logger)
{
    /// <summary>The source, downloaded into scratch and probed (both stages that need it do this: they may run on different machines).</summary>
    public async Task<(string Path, SourceMetadata Source)> SourceAsync(StageContext context, CancellationToken cancellationToken)
    {
        var key = context.Job.SourceFile.Key;
        var path = Path.Combine(context.Scratch, "source" + Path.GetExtension(key));
        try
        {
            await DownloadAsync(context, key, path, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new MediaException(ErrorCatalog.SourceMissing, $"The source '{key}' is not in storage.");
        }

        return (path, await engine.ProbeAsync(path, cancellationToken));
    }

    /// <summary>Uploads the files under <paramref name="folder"/> (those <paramref name="only"/> takes) to <paramref name="prefix"/>, in key order.</summary>
    public async Task UploadAsync(StageContext context, string folder, string prefix, CancellationToken cancellationToken, Func<string, bool>? only = null)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(only ?? (_ => true)).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            await storage.PutFileAsync(prefix + relative, file, cancellationToken);
            context.Use(bytesWritten: new FileInfo(file).Length);
        }
    }

    public async Task DownloadAsync(StageContext context, string key, string path, CancellationToken cancellationToken)
    {
        await storage.GetFileAsync(key, path, cancellationToken);
        context.Use(bytesRead: new FileInfo(path).Length);
    }

    public async Task DownloadPrefixAsync(StageContext context, string prefix, string folder, CancellationToken cancellationToken)
    {
        await foreach (var stored in storage.ListAsync(prefix, cancellationToken))
        {
            await DownloadAsync(context, stored.Key, Path.Combine(folder, stored.Key[prefix.Length..]), cancellationToken);
        }
    }

    /// <summary>Copies inside storage (publishing): the job pays for the bytes as written.</summary>
    public async Task CopyAsync(StageContext context, StoredObject stored, string key, CancellationToken cancellationToken)
    {
        await storage.CopyAsync(stored.Key, key, cancellationToken);
        context.Use(bytesCopied: stored.SizeBytes);
    }

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => storage.ListAsync(prefix, cancellationToken);

    /// <summary>Staging is garbage once a job is published or cancelled; storage being away must not fail the job for it.</summary>
    public async Task DeleteStagingQuietlyAsync(string jobId)
    {
        try
        {
            await storage.DeletePrefixAsync(OutputKeys.Staging(jobId), CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsTransient(ex) || ex is Amazon.Runtime.AmazonServiceException)
        {
            LogStagingLeft(jobId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staging of {JobId} could not be removed ({Reason})")]
    private partial void LogStagingLeft(string jobId, string reason);
}
