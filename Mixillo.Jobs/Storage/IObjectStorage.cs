using Mixillo.Errors;

namespace Mixillo.Jobs.Storage;

/// <summary>
/// Where sources and outputs live: a local folder (embedded default) or any S3 endpoint (MinIO, Ceph, AWS).
/// Files move as streams between storage and local files, never whole in memory. Keys are validated by
/// <see cref="StorageKeys"/>.
/// </summary>
public interface IObjectStorage
{
    /// <summary>Creates the bucket or folder if needed, and proves storage answers.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Proves storage answers and can be read, writing nothing; throws when it cannot (health checks).</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>Uploads a local file; large files go up in parts. A reader never sees a half-written object.</summary>
    Task PutFileAsync(string key, string path, CancellationToken cancellationToken);

    /// <summary>Downloads an object to a local file (replaced whole, never left half-written). Throws <see cref="ObjectNotFoundException"/>.</summary>
    Task GetFileAsync(string key, string path, CancellationToken cancellationToken);

    /// <summary>Opens an object for reading; the caller disposes the stream. Throws <see cref="ObjectNotFoundException"/>.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Size, time and entity tag of an object; null when there is none.</summary>
    Task<StoredObject?> StatAsync(string key, CancellationToken cancellationToken);

    /// <summary>Objects whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Copies inside storage (no download). Throws <see cref="ObjectNotFoundException"/>.</summary>
    Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken);

    /// <summary>A URL that reads the object directly for <paramref name="lifetime"/>, or null where storage has no such thing (a folder).</summary>
    Task<string?> PresignReadAsync(string key, TimeSpan lifetime);

    /// <summary>
    /// Lets web pages on <paramref name="origins"/> (<c>*</c>: any) read objects straight from storage through
    /// presigned URLs: the bucket's CORS rules, replaced whole. Nothing for a folder (the API serves it).
    /// </summary>
    Task AllowBrowserReadsAsync(IReadOnlyList<string> origins, CancellationToken cancellationToken);

    /// <summary>Deletes an object; deleting one that is not there is fine.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes every object under <paramref name="prefix"/>; returns how many.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken);
}

/// <param name="ETag">
/// Names this version of the object, unquoted: S3's entity tag, or a file's size and time. Another version gets
/// another tag, so HTTP caches can revalidate with it.
/// </param>
public sealed record StoredObject(string Key, long SizeBytes, DateTimeOffset LastModified, string ETag);

public sealed class ObjectNotFoundException(string key) : FileNotFoundException($"No object '{key}' in storage."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.ObjectNotFound;

    public string Key { get; } = key;
}
