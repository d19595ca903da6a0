using System.Security.Cryptography;
using System.Text.Json;
using Mixillo.Errors;
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
public sealed partial class UploadService(
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

    private readonly SpaceFloors _space = floors.Single(kind => kind.Work == SpaceFloors.Uploads);

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
            throw new UploadException(ErrorCatalog.UploadInvalid, "fileName is required (at most 255 characters).");
        }

        if (request.FileSize <= 0 || request.FileSize > options.MaxFileSizeBytes)
        {
            throw new UploadException(ErrorCatalog.UploadTooLarge, $"fileSize must be between 1 and {options.MaxFileSizeBytes} bytes.");
        }

        if (request.Caption?.Length > ContentInfo.MaxCaptionLength)
        {
            throw new UploadException(ErrorCatalog.UploadInvalid, $"caption is at most {ContentInfo.MaxCaptionLength} characters.");
        }

        if (request.MimeType is not null && !MimeTypes.IsValid(request.MimeType))
        {
            throw new UploadException(ErrorCatalog.UploadInvalid, $"mimeType is type/subtype (RFC 6838), at most {MimeTypes.MaxLength} characters.");
        }

        if (request.UploadType is not (null or ContentInfo.Video))
        {
            throw new UploadException(ErrorCatalog.UploadInvalid, $"uploadType is '{ContentInfo.Video}' (the only type there is) or absent.");
        }

        var extension = Path.GetExtension(request.FileName).ToLowerInvariant();
        if (request.MimeType?.StartsWith("video/", StringComparison.OrdinalIgnoreCase) != true || !AllowedExtensions().Contains(extension))
        {
            throw new UploadException(ErrorCatalog.UploadNotVideo, $"Only video files are accepted ({options.Extensions}).");
        }

        EnsureSpace();
        var now = time.GetUtcNow();
        var (openCount, openBytes) = await limits.OpenOfAsync(userId);
        if (openCount >= options.MaxOpenUploadsPerUser)
        {
            throw new UploadException(ErrorCatalog.TooManyUploads, $"You have {openCount} uploads open; complete or abandon one first (at most {options.MaxOpenUploadsPerUser}).", LimitRetryAfter);
        }

        if (openBytes + request.FileSize > options.MaxOpenBytesPerUser)
        {
            throw new UploadException(ErrorCatalog.UploadQuotaExceeded, $"Your open uploads promise {openBytes} bytes; with this one they would pass {options.MaxOpenBytesPerUser}.", LimitRetryAfter);
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

    /// <summary>A remembered refusal as the exception that first answered it, so the problem a client gets is the same.</summary>
    private static Exception Refusal(string code, string message)
    {
        var error = ErrorCatalog.Find(code) ?? ErrorCatalog.UploadRejected;
        return error.IsInputError ? new MediaException(error, message) : new UploadException(error, message);
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
            throw new UploadException(ErrorCatalog.InsufficientStorage, "The service is short of disk space; try again later.", LimitRetryAfter);
        }
    }

    private async Task EnsureJobRoomAsync(string userId, CancellationToken cancellationToken)
    {
        if (await store.CountActiveAsync(userId, cancellationToken) is var active && active >= options.MaxActiveJobsPerUser)
        {
            throw new UploadException(ErrorCatalog.TooManyJobs, $"You have {active} videos waiting or processing (at most {options.MaxActiveJobsPerUser}); try again when one is done.", LimitRetryAfter);
        }
    }

    private HashSet<string> AllowedExtensions() => [.. options.ExtensionList.Select(e => e.ToLowerInvariant())];

    private string Scratch(string name)
    {
        var folder = Path.Combine(options.ScratchRoot, WorkerIdentity.ProcessName(ScratchRole));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
