using System.Globalization;
using System.Runtime.CompilerServices;

namespace Mixillo.Jobs.Storage;

/// <summary>
/// Objects as files under one root folder (the embedded default). Writes go to a temporary file beside the
/// target and are renamed into place, so a reader sees the old object or the new one, never half of one.
/// </summary>
public sealed class FileSystemStorage(string root) : IObjectStorage
{
    private const string PartialSuffix = ".partial";

    private readonly string _root = Path.GetFullPath(root);

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            throw new DirectoryNotFoundException($"The storage folder '{_root}' is missing.");
        }

        using var entries = Directory.EnumerateFileSystemEntries(_root).GetEnumerator();
        entries.MoveNext();
        return Task.CompletedTask;
    }

    public async Task PutFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + "." + Guid.NewGuid().ToString("N") + PartialSuffix;
        try
        {
            await using (var source = File.OpenRead(path))
            await using (var destination = File.Create(partial))
            {
                await source.CopyToAsync(destination, cancellationToken);
            }

            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public async Task GetFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        await using var source = await OpenReadAsync(key, cancellationToken);
        await Download.ToFileAsync(source, path, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException
            || (ex is UnauthorizedAccessException && Directory.Exists(path)))
        {
            // A folder holds objects but is none, as on S3, where a key that only prefixes others is missing.
            throw new ObjectNotFoundException(key);
        }
    }

    public Task<StoredObject?> StatAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? new StoredObject(key, file.Length, file.LastWriteTimeUtc, Tag(file)) : null);
    }

    /// <summary>
    /// Size and time, as web servers tag files: a put writes a new file and renames it into place, so a replaced
    /// object has a new time (and almost always a new size), without reading the file to hash it.
    /// </summary>
    private static string Tag(FileInfo file) =>
        string.Create(CultureInfo.InvariantCulture, $"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}");

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StorageKeys.ValidatePrefix(prefix);
        // Walk only the folder the prefix is in (S3 prefixes are plain string prefixes, so "videos/ab" matches "videos/abc/...").
        var folder = Path.Combine(_root, prefix.Contains('/') ? prefix[..prefix.LastIndexOf('/')] : "");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(file => !file.EndsWith(PartialSuffix, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await StatAsync(key, cancellationToken) is { } found)
            {
                yield return found;
            }
        }
    }

    public async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken)
    {
        PathOf(targetKey);
        var source = PathOf(sourceKey);
        if (!File.Exists(source))
        {
            throw new ObjectNotFoundException(sourceKey);
        }

        await PutFileAsync(targetKey, source, cancellationToken);
    }

    public Task<string?> PresignReadAsync(string key, TimeSpan lifetime)
    {
        PathOf(key);
        return Task.FromResult<string?>(null);
    }

    public Task AllowBrowserReadsAsync(IReadOnlyList<string> origins, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            // A folder is no object (see OpenReadAsync): there is nothing to delete, and its contents stay.
            if (!Directory.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing there: deleting is done.
        }

        return Task.CompletedTask;
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var folders = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var found in ListAsync(prefix, cancellationToken))
        {
            var path = PathOf(found.Key);
            File.Delete(path);
            folders.Add(Path.GetDirectoryName(path)!);
            deleted++;
        }

        // Folders are an artefact of this provider, not objects: remove the ones left empty, deepest first.
        foreach (var folder in folders.OrderByDescending(f => f.Length))
        {
            for (var current = folder; current.Length > _root.Length && Directory.Exists(current) && !Directory.EnumerateFileSystemEntries(current).Any(); current = Path.GetDirectoryName(current)!)
            {
                Directory.Delete(current);
            }
        }

        return deleted;
    }

    /// <summary>The file of a key: validated, and proved to be inside the root.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, StorageKeys.Validate(key)));
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new InvalidStorageKeyException(key, "it leads outside the storage root");
    }
}
