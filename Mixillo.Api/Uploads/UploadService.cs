using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Worker.Core;
using Mixillo.Worker.Health;

namespace Mixillo.Api.Uploads;

/// <summary>
/// Chunked uploads kept in object storage (so any API instance can take any chunk), assembled, probed and
/// turned into content with a transcode job. A rejected file keeps its upload for inspection.
/// </summary>
public sealed class UploadService(
    IObjectStorage storage,
    IJobStore store,
    MediaEngine engine,
    UploadOptions options,
    JobOptions defaults,
    CostOptions prices,
    UserLimits limits,
    IEnumerable<SpaceFloors> floors,
    TimeProvider time)
{
    /// <summary>When to ask again after a per-user limit: open uploads and jobs free up as they finish.</summary>
    private static readonly TimeSpan LimitRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>When to send a chunk again after too many were in flight.</summary>
    private static readonly TimeSpan ChunkRetryAfter = TimeSpan.FromSeconds(5);

    private readonly SpaceFloors _space = floors.Single(kind => kind.Work == SpaceFloors.Uploads);

    private const string ChunkPrefix = "chunk-";

    /// <summary>How often a call waiting for another call's completion of the same upload looks again: a small read.</summary>
    private static readonly TimeSpan CompletionPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// This process's folder in <see cref="UploadOptions.ScratchRoot"/> is <c>api_{hostname}_{pid}</c>: API instances on
    /// one machine may share the root, and a killed instance's leftovers are told from a live one's by the pid
    /// (<see cref="ScratchCleaner"/>, run at start by <see cref="UploadSweeper"/>).
    /// </summary>
    public const string ScratchRole = "api";

    /// <param name="user">Who uploads, as their token names them (kept with the content for admins).</param>
    public async Task<UploadSession> InitializeAsync(string userId, UserInfo? user, InitializeUpload request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.FileName) || request.FileName.Length > 255)
        {
            throw new UploadException(UploadException.Invalid, "fileName is required (at most 255 characters).");
        }

        if (request.FileSize <= 0 || request.FileSize > options.MaxFileSizeBytes)
        {
            throw new UploadException(UploadException.TooLarge, $"fileSize must be between 1 and {options.MaxFileSizeBytes} bytes.");
        }

        if (request.Caption?.Length > ContentInfo.MaxCaptionLength)
        {
            throw new UploadException(UploadException.Invalid, $"caption is at most {ContentInfo.MaxCaptionLength} characters.");
        }

        if (request.MimeType is not null && !MimeTypes.IsValid(request.MimeType))
        {
            throw new UploadException(UploadException.Invalid, $"mimeType is type/subtype (RFC 6838), at most {MimeTypes.MaxLength} characters.");
        }

        if (request.UploadType is not (null or ContentInfo.Video))
        {
            throw new UploadException(UploadException.Invalid, $"uploadType is '{ContentInfo.Video}' (the only type there is) or absent.");
        }

        var extension = Path.GetExtension(request.FileName).ToLowerInvariant();
        if (request.MimeType?.StartsWith("video/", StringComparison.OrdinalIgnoreCase) != true || !AllowedExtensions().Contains(extension))
        {
            throw new UploadException(UploadException.NotVideo, $"Only video files are accepted ({options.Extensions}).");
        }

        EnsureSpace();
        var now = time.GetUtcNow();
        var (openCount, openBytes) = await limits.OpenOfAsync(userId);
        if (openCount >= options.MaxOpenUploadsPerUser)
        {
            throw new UploadException(UploadException.TooManyUploads, $"You have {openCount} uploads open; complete or abandon one first (at most {options.MaxOpenUploadsPerUser}).", LimitRetryAfter);
        }

        if (openBytes + request.FileSize > options.MaxOpenBytesPerUser)
        {
            throw new UploadException(UploadException.QuotaExceeded, $"Your open uploads promise {openBytes} bytes; with this one they would pass {options.MaxOpenBytesPerUser}.", LimitRetryAfter);
        }

        await EnsureJobRoomAsync(userId, cancellationToken);
        var session = new UploadSession
        {
            UploadId = $"up_{now.ToUnixTimeMilliseconds()}_{RandomNumberGenerator.GetHexString(12, lowercase: true)}",
            UserId = userId,
            User = user,
            FileName = request.FileName,
            FileSize = request.FileSize,
            MimeType = request.MimeType,
            UploadType = ContentInfo.Video,
            Caption = request.Caption,
            ChunkSize = options.ChunkSize,
            TotalChunks = (int)((request.FileSize + options.ChunkSize - 1) / options.ChunkSize),
            CreatedAt = now,
            ExpiresAt = now + options.ExpireAfter,
        };
        await SaveAsync(session, cancellationToken);
        await limits.AddOpenAsync(session);
        return session;
    }

    /// <summary>The user's upload, or null: someone else's upload does not exist for them.</summary>
    public async Task<UploadSession?> FindAsync(string uploadId, string userId, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(uploadId) || !uploadId.StartsWith("up_", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            await using var stream = await storage.OpenReadAsync(StorageKeys.Join("uploads", uploadId, "upload.json"), cancellationToken);
            var session = await JsonSerializer.DeserializeAsync<UploadSession>(stream, JobJson.Options, cancellationToken);
            return session?.UserId == userId ? session : null;
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Stores one chunk (again, if it was sent before). The body is streamed to disk, never held whole.</summary>
    public async Task PutChunkAsync(UploadSession session, int index, Stream body, CancellationToken cancellationToken)
    {
        // Once a completion began, the chunks are what it assembles (or assembled, or refused): they no longer change.
        var completion = session.ContentId is null ? await store.GetCompletionAsync(session.UploadId, cancellationToken) : null;
        if (session.ContentId is not null || completion?.State == CompletionState.Completed)
        {
            throw new UploadException(UploadException.Completed, "This upload is already complete.");
        }

        if (completion is not null)
        {
            throw completion.State == CompletionState.Rejected
                ? new UploadException(UploadException.Rejected, $"This upload was refused ({completion.Code}); start a new upload.")
                : new UploadException(UploadException.Completing, "This upload is being completed; its chunks cannot change now.");
        }

        if (index < 0 || index >= session.TotalChunks)
        {
            throw new UploadException(UploadException.Invalid, $"Chunk index must be between 0 and {session.TotalChunks - 1}.");
        }

        EnsureSpace();
        await using var slot = await limits.TryEnterChunkAsync(session.UserId, options.MaxConcurrentChunksPerUser)
            ?? throw new UploadException(UploadException.TooManyChunks, $"At most {options.MaxConcurrentChunksPerUser} chunks of yours may be in flight at once.", ChunkRetryAfter);
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
                throw new UploadException(UploadException.ChunkSize, $"Chunk {index} must be {expected} bytes, not {(written > expected ? "more" : written.ToString(CultureInfo.InvariantCulture))}.");
            }

            await storage.PutFileAsync(session.ChunkKey(index), path, cancellationToken);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadException(UploadException.ChunkTimeout, $"Chunk {index} took longer than {options.ChunkTimeout}; send it again.");
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

    /// <summary>
    /// Assembles, probes and validates the file, stores it as the content's source and enqueues its job, once per
    /// upload across every API instance. The store's completion marker lets one call do the work while calls that
    /// come meanwhile wait for its answer, and keeps that answer (the content and job, or the refusal of a file
    /// that is not a usable video) for every later call, which repeats it without assembling or probing anything.
    /// </summary>
    public async Task<UploadSession> CompleteAsync(UploadSession session, CancellationToken cancellationToken)
    {
        if (session.ContentId is not null)
        {
            return session;
        }

        EnsureSpace();
        await EnsureJobRoomAsync(session.UserId, cancellationToken);
        var completer = $"{Environment.MachineName}_{Environment.ProcessId}_{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        while (true)
        {
            var completion = await store.BeginCompletionAsync(session.UploadId, completer, options.CompletingStaleAfter, cancellationToken);
            if (completion.State == CompletionState.Completed)
            {
                return session with { ContentId = completion.ContentId, JobId = completion.JobId };
            }

            if (completion.State == CompletionState.Rejected)
            {
                throw Refusal(completion.Code!, completion.Message!);
            }

            if (!completion.IsHeldBy(completer))
            {
                await WaitForCompleterAsync(completion, cancellationToken);
            }
            else if (await CompleteHeldAsync(session, completion, cancellationToken) is { } completed)
            {
                return completed;
            }
        }
    }

    /// <summary>Removes uploads past their expiry and takes stock of the open ones (for the per-user limits); returns how many were removed.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = new List<UploadSession>();
        var stillOpen = new List<UploadSession>();
        await foreach (var stored in storage.ListAsync("uploads/", cancellationToken))
        {
            if (!stored.Key.EndsWith("/upload.json", StringComparison.Ordinal))
            {
                continue;
            }

            await using var stream = await storage.OpenReadAsync(stored.Key, cancellationToken);
            if (await JsonSerializer.DeserializeAsync<UploadSession>(stream, JobJson.Options, cancellationToken) is not { } session)
            {
                continue;
            }

            if (session.ExpiresAt <= now)
            {
                expired.Add(session);
            }
            else if (session.ContentId is null)
            {
                stillOpen.Add(session);
            }
        }

        await limits.ReplaceOpenAsync(stillOpen, now);

        foreach (var session in expired)
        {
            await storage.DeletePrefixAsync(session.Prefix, cancellationToken);
            // Its upload gone, nobody can complete it again: the marker would only take room.
            await store.ForgetCompletionAsync(session.UploadId, cancellationToken);
        }

        return expired.Count;
    }

    /// <summary>
    /// The work of the call that holds the completion. Null when the completion was taken over meanwhile (this call
    /// was too slow and counted as dead): the caller then waits for the new holder's answer.
    /// </summary>
    private async Task<UploadSession?> CompleteHeldAsync(UploadSession session, UploadCompletion held, CancellationToken cancellationToken)
    {
        var extension = Path.GetExtension(session.FileName).ToLowerInvariant();
        var path = Scratch($"{session.UploadId}-{Guid.NewGuid():N}{extension}");
        try
        {
            TranscodeJob job;
            try
            {
                var received = await ReceivedAsync(session, cancellationToken);
                var missing = Enumerable.Range(0, session.TotalChunks).Except(received).ToList();
                if (missing.Count > 0)
                {
                    throw new UploadException(UploadException.Incomplete, $"Chunks missing: {string.Join(',', missing.Take(50))}{(missing.Count > 50 ? ", ..." : "")}.");
                }

                await AssembleAsync(session, path, cancellationToken);
                // Throws MediaException (input_*) for a file that is not a usable video; the upload stays for inspection.
                var source = await engine.ProbeAsync(path, cancellationToken);

                var sourceKey = OutputKeys.Sources(session.TargetContentId) + "source" + extension;
                var newJob = new NewJob
                {
                    ContentId = session.TargetContentId,
                    UserId = session.UserId,
                    Content = new ContentInfo(session.UploadType ?? ContentInfo.Video, session.Caption),
                    User = session.User,
                    Source = new SourceFile { Key = sourceKey, OriginalName = session.FileName, SizeBytes = session.FileSize, MimeType = session.MimeType },
                    Options = defaults,
                    EstimatedCost = CostModel.Estimate(source.DurationSeconds, source.SizeBytes, defaults, prices),
                };
                // Before the copy: a job the store would refuse must not leave a source behind under sources/.
                try
                {
                    newJob.Validate();
                }
                catch (ArgumentException ex)
                {
                    throw new UploadException(UploadException.Invalid, ex.Message);
                }

                await storage.PutFileAsync(sourceKey, path, cancellationToken);
                job = await store.FinishCompletionAsync(held, newJob, cancellationToken);
            }
            catch (Exception ex) when (RefusalOf(ex) is { } refusal)
            {
                // Recorded even when the caller has gone: the verdict on the file is known and stays.
                await store.RejectCompletionAsync(held, refusal.Code, refusal.Message, CancellationToken.None);
                throw;
            }

            // The job exists: the bookkeeping ends even if the caller has gone (later calls answer from the marker anyway).
            var completed = session with { ContentId = job.ContentId, JobId = job.JobId };
            await SaveAsync(completed, CancellationToken.None);
            await limits.RemoveOpenAsync(session);
            for (var i = 0; i < session.TotalChunks; i++)
            {
                await storage.DeleteAsync(session.ChunkKey(i), CancellationToken.None);
            }

            return completed;
        }
        catch (CompletionLostException)
        {
            return null;
        }
        catch (Exception ex) when (RefusalOf(ex) is null)
        {
            // Not the file's fault (chunks missing, storage or the store away, ffmpeg missing, the request cancelled):
            // nothing is remembered, and the next call starts afresh. A no-op once the marker is finished or lost.
            await store.ReleaseCompletionAsync(held, CancellationToken.None);
            throw;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Returns once another call's completion is no longer that call's to keep: finished, released, or older than
    /// the stale limit (its instance died; the next begin takes it over). Bounded by the request: a caller that
    /// gives up cancels the wait, and its next call finds the answer.
    /// </summary>
    private async Task WaitForCompleterAsync(UploadCompletion completion, CancellationToken cancellationToken)
    {
        do
        {
            await Task.Delay(CompletionPoll, time, cancellationToken);
        }
        while (await store.GetCompletionAsync(completion.UploadId, cancellationToken) is { State: CompletionState.Completing } current
            && time.GetUtcNow() - current.StartedAt < options.CompletingStaleAfter);
    }

    /// <summary>The code and message of a failure that is the file's fault, remembered for good; null for any other failure.</summary>
    private static (string Code, string Message)? RefusalOf(Exception exception) => exception switch
    {
        MediaException { IsInputError: true } e => (e.Code, e.Message),
        UploadException { Code: UploadException.ChunkSize } e => (e.Code, e.Message),
        _ => null,
    };

    /// <summary>A remembered refusal as the exception that first answered it, so the problem a client gets is the same.</summary>
    private static Exception Refusal(string code, string message) =>
        code.StartsWith("input_", StringComparison.Ordinal) ? new MediaException(code, message) : new UploadException(code, message);

    private async Task AssembleAsync(UploadSession session, string path, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        for (var i = 0; i < session.TotalChunks; i++)
        {
            await using var chunk = await storage.OpenReadAsync(session.ChunkKey(i), cancellationToken);
            await chunk.CopyToAsync(file, cancellationToken);
        }

        if (file.Length != session.FileSize)
        {
            throw new UploadException(UploadException.ChunkSize, $"The chunks add up to {file.Length} bytes, not {session.FileSize}.");
        }
    }

    private async Task SaveAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var path = Scratch($"{session.UploadId}-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(session, JobJson.Options), cancellationToken);
            await storage.PutFileAsync(session.ManifestKey, path, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Refuses new upload work while the scratch or storage folder is below its floor.</summary>
    private void EnsureSpace()
    {
        // Which folder (a server path) is for the operator: /health's log says it; the client learns when to come back.
        if (_space.FirstShortfall() is not null)
        {
            throw new UploadException(UploadException.InsufficientStorage, "The service is short of disk space; try again later.", LimitRetryAfter);
        }
    }

    private async Task EnsureJobRoomAsync(string userId, CancellationToken cancellationToken)
    {
        if (await store.CountActiveAsync(userId, cancellationToken) is var active && active >= options.MaxActiveJobsPerUser)
        {
            throw new UploadException(UploadException.TooManyJobs, $"You have {active} videos waiting or processing (at most {options.MaxActiveJobsPerUser}); try again when one is done.", LimitRetryAfter);
        }
    }

    private HashSet<string> AllowedExtensions() => [.. options.ExtensionList.Select(e => e.ToLowerInvariant())];

    private string Scratch(string name)
    {
        var folder = Path.Combine(options.ScratchRoot, WorkerIdentity.ProcessName(ScratchRole));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
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

public sealed record InitializeUpload(string FileName, long FileSize, string? MimeType, string? UploadType, string? Caption = null);

