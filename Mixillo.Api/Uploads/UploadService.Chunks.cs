using System.Globalization;
using Mixillo.Errors;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Uploads;

/// <summary>
/// Chunks: received in any order and again (the last one wins), each written to storage as it streams in, within the size
/// declared at initialize; at most a few at once per user.
/// </summary>
public sealed partial class UploadService
{
    /// <summary>When to send a chunk again after too many were in flight.</summary>
    private static readonly TimeSpan ChunkRetryAfter = TimeSpan.FromSeconds(5);

    private const string ChunkPrefix = "chunk-";

    /// <summary>Stores one chunk (again, if it was sent before). The body is streamed to disk, never held whole.</summary>
    public async Task PutChunkAsync(UploadSession session, int index, Stream body, CancellationToken cancellationToken)
    {
        // Once a completion began, the chunks are what it assembles (or assembled, or refused): they no longer change.
        var completion = session.ContentId is null ? await store.GetCompletionAsync(session.UploadId, cancellationToken) : null;
        if (session.ContentId is not null || completion?.State == CompletionState.Completed)
        {
            throw new UploadException(ErrorCatalog.UploadCompleted, "This upload is already complete.");
        }

        if (completion is not null)
        {
            throw completion.State == CompletionState.Rejected
                ? new UploadException(ErrorCatalog.UploadRejected, $"This upload was refused ({completion.Code}); start a new upload.")
                : new UploadException(ErrorCatalog.UploadCompleting, "This upload is being completed; its chunks cannot change now.");
        }

        if (index < 0 || index >= session.TotalChunks)
        {
            throw new UploadException(ErrorCatalog.UploadInvalid, $"Chunk index must be between 0 and {session.TotalChunks - 1}.");
        }

        EnsureSpace();
        await using var slot = await limits.TryEnterChunkAsync(session.UserId, options.MaxConcurrentChunksPerUser)
            ?? throw new UploadException(ErrorCatalog.TooManyChunks, $"At most {options.MaxConcurrentChunksPerUser} chunks of yours may be in flight at once.", ChunkRetryAfter);
        var expected = session.ExpectedChunkSize(index);
        var path = Scratch($"{session.UploadId}-{index}-{Guid.NewGuid():N}");
        using var deadline = new CancellationTokenSource(options.ChunkTimeout, time);
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            long written;
            await using (var file = File.Create(path))
            {
                written = await CopyAtMostAsync(body, file, expected + 1, request.Token);
            }

            if (written != expected)
            {
                throw new UploadException(ErrorCatalog.ChunkSizeMismatch, $"Chunk {index} must be {expected} bytes, not {(written > expected ? "more" : written.ToString(CultureInfo.InvariantCulture))}.");
            }

            await storage.PutFileAsync(session.ChunkKey(index), path, cancellationToken);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadException(ErrorCatalog.ChunkTimeout, $"Chunk {index} took longer than {options.ChunkTimeout}; send it again.");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public async Task<IReadOnlyList<int>> ReceivedAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var received = new List<int>();
        await foreach (var stored in storage.ListAsync(session.Prefix + ChunkPrefix, cancellationToken))
        {
            received.Add(int.Parse(stored.Key[(session.Prefix.Length + ChunkPrefix.Length)..], CultureInfo.InvariantCulture));
        }

        return received;
    }

    /// <summary>Copies up to <paramref name="limit"/> bytes; a body longer than that is not read further.</summary>
    private static async Task<long> CopyAtMostAsync(Stream source, Stream destination, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total < limit && (read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        return total;
    }
}
