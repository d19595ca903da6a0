using Microsoft.Extensions.Logging;
using Mixillo.Errors;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Media;
using Mixillo.Media.Probing;
using Mixillo.Worker.Hosting;

namespace Mixillo.Worker.Pipeline;

/// <summary>The stages' transfers between object storage and scratch, each counted in the stage's usage.</summary>
internal sealed partial class StageStorage(IObjectStorage storage, MediaEngine engine, WorkerOptions options, ILogger<StageStorage> logger)
{
    /// <summary>
    /// The source in scratch and its probe. A source this worker fetched and kept (<see cref="Kept"/>) is used where it
    /// is; any other is downloaded. The probe is the job's (from <c>complete</c> or the fetch stage) when it has one:
    /// only a job enqueued by an admin is probed here, once, at fetch.
    /// </summary>
    /// <param name="keep">Download into <see cref="Kept"/>, where it outlives the stage (the fetch stage, when the next is held).</param>
    public async Task<(string Path, SourceMetadata Source)> SourceAsync(StageContext context, bool keep, CancellationToken cancellationToken)
    {
        var key = context.Job.SourceFile.Key;
        var kept = Path.Combine(Kept(context.Lease.WorkerId, context.Job.JobId), "source" + Path.GetExtension(key));
        var path = File.Exists(kept) ? kept : Path.Combine(context.Scratch, "source" + Path.GetExtension(key));
        if (path != kept)
        {
            try
            {
                await DownloadAsync(context, key, path, cancellationToken);
            }
            catch (ObjectNotFoundException)
            {
                throw SourceMissing(key);
            }
        }

        var source = context.Job.Probe ?? await engine.ProbeAsync(path, cancellationToken);
        if (keep && path != kept)
        {
            // Whole or not at all: a file in Kept is always a complete download.
            Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
            File.Move(path, kept);
            path = kept;
        }

        return (path, source);
    }

    /// <summary>
    /// The source's probe when the stage needs no file (a fetch that keeps nothing, a retry that only packages): the
    /// job's, with the source's presence checked and nothing read; a job without one has its source downloaded and probed.
    /// </summary>
    public async Task<SourceMetadata> MetadataAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (context.Job.Probe is not { } probe)
        {
            return (await SourceAsync(context, keep: false, cancellationToken)).Source;
        }

        var key = context.Job.SourceFile.Key;
        return await storage.StatAsync(key, cancellationToken) is null ? throw SourceMissing(key) : probe;
    }

    /// <summary>
    /// Where a fetched source waits for the same worker's process stage: beside the stages' scratch, so a worker that
    /// crashes leaves it to <see cref="Core.ScratchCleaner"/> like the rest.
    /// </summary>
    public string Kept(string workerId, string jobId) => Path.Combine(options.ScratchRoot, workerId, jobId + "-source");

    /// <summary>Removes a kept source: the job's next stage ran, or went to another worker.</summary>
    public void DropKept(string workerId, string jobId) => ScratchFolder.Delete(Kept(workerId, jobId));

    private static MediaException SourceMissing(string key) => new(ErrorCatalog.SourceMissing, $"The source '{key}' is not in storage.");

    /// <summary>
    /// Uploads the files under <paramref name="folder"/> (those <paramref name="only"/> takes) to <paramref name="prefix"/>,
    /// in key order with manifests last: a playlist already published (the early stream's) is replaced only once every
    /// file it lists is there.
    /// </summary>
    public async Task UploadAsync(StageContext context, string folder, string prefix, CancellationToken cancellationToken, Func<string, bool>? only = null)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(only ?? (_ => true))
            .OrderBy(ContentTypes.IsManifest).ThenBy(file => file, StringComparer.Ordinal))
        {
            await PutAsync(context, prefix + Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/'), file, cancellationToken);
        }
    }

    public async Task PutAsync(StageContext context, string key, string path, CancellationToken cancellationToken)
    {
        await storage.PutFileAsync(key, path, cancellationToken);
        context.Use(bytesWritten: new FileInfo(path).Length);
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

    /// <summary>
    /// Removes staging that is garbage: a job's (<see cref="OutputKeys.Staging"/>) once it is published or cancelled, an
    /// attempt's (<see cref="OutputKeys.Attempt"/>) whose encode did not complete. Storage being away must not fail the job for it.
    /// </summary>
    public async Task DeleteStagingQuietlyAsync(string prefix)
    {
        try
        {
            await storage.DeletePrefixAsync(prefix, CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsTransient(ex) || ex is Amazon.Runtime.AmazonServiceException)
        {
            LogStagingLeft(prefix, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staging {Prefix} could not be removed ({Reason})")]
    private partial void LogStagingLeft(string prefix, string reason);
}
