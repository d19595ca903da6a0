using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Worker;

/// <summary>Real storage, every call passed on: a fault or a delay is injected by overriding one call.</summary>
internal abstract class StorageDecorator(IObjectStorage inner) : IObjectStorage
{
    public virtual Task PutFileAsync(string key, string path, CancellationToken cancellationToken) => inner.PutFileAsync(key, path, cancellationToken);

    public virtual Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);

    public Task GetFileAsync(string key, string path, CancellationToken cancellationToken) => inner.GetFileAsync(key, path, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public Task<StoredObject?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task<string?> PresignReadAsync(string key, TimeSpan lifetime) => inner.PresignReadAsync(key, lifetime);

    public Task AllowBrowserReadsAsync(IReadOnlyList<string> origins, CancellationToken cancellationToken) => inner.AllowBrowserReadsAsync(origins, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public virtual Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);
}
