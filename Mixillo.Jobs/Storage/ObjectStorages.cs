namespace Mixillo.Jobs.Storage;

/// <summary>Builds the storage that <c>Storage:Provider</c> names.</summary>
public static class ObjectStorages
{
    public static IObjectStorage Create(StorageOptions options) =>
        options.Provider.Trim().ToLowerInvariant() switch
        {
            StorageOptions.FileSystem => new FileSystemStorage(options.Root),
            StorageOptions.S3Provider => new S3Storage(options.S3),
            _ => throw new ArgumentException($"Storage:Provider must be '{StorageOptions.FileSystem}' or '{StorageOptions.S3Provider}', not '{options.Provider}'."),
        };
}
