using System.Security.Cryptography;
using System.Text;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;

namespace Mixillo.Api.Uploads;

/// <summary>A chunked upload in progress, kept as <c>uploads/{uploadId}/upload.json</c> beside its chunks.</summary>
public sealed record UploadSession
{
    public required string UploadId { get; init; }

    public required string UserId { get; init; }

    public UserInfo? User { get; init; }

    public required string FileName { get; init; }

    public required long FileSize { get; init; }

    public required string MimeType { get; init; }

    public string? UploadType { get; init; }

    public string? Caption { get; init; }

    public required int ChunkSize { get; init; }

    public required int TotalChunks { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set once completed: the content and job it became.</summary>
    public string? ContentId { get; init; }

    public string? JobId { get; init; }

    /// <summary>
    /// The content this upload becomes, named after the upload rather than drawn at random, so that every attempt
    /// at completing it (a takeover after a completer died) writes the same source key instead of another copy.
    /// Hashed, so the public media URLs of the content do not carry the upload's id.
    /// </summary>
    public string TargetContentId =>
        $"content_{CreatedAt.ToUnixTimeMilliseconds()}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(UploadId)))[..10]}";

    public string Prefix => StorageKeys.Join("uploads", UploadId) + "/";

    public string ManifestKey => Prefix + "upload.json";

    public string ChunkKey(int index) => Prefix + $"chunk-{index:D6}";

    /// <summary>The size chunk <paramref name="index"/> must have: the chunk size, or what is left for the last one.</summary>
    public long ExpectedChunkSize(int index) =>
        index == TotalChunks - 1 ? FileSize - ((long)ChunkSize * (TotalChunks - 1)) : ChunkSize;
}
