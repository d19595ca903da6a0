using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Worker;

/// <summary>Real storage with one injected fault: the first upload of a key ending with <paramref name="suffix"/> fails.</summary>
internal sealed class FailingOnceStorage(IObjectStorage inner, string suffix) : IObjectStorage
{
    private int _failed;

    public Task PutFileAsync(string key, string path, CancellationToken cancellationToken) =>
        key.EndsWith(suffix, StringComparison.Ordinal) && Interlocked.Exchange(ref _failed, 1) == 0
            ? throw new IOException($"injected: the upload of {key} broke off")
            : inner.PutFileAsync(key, path, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);

    public Task GetFileAsync(string key, string path, CancellationToken cancellationToken) => inner.GetFileAsync(key, path, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public Task<StoredObject?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);

    public Task<string?> PresignReadAsync(string key, TimeSpan lifetime) => inner.PresignReadAsync(key, lifetime);

    public Task AllowBrowserReadsAsync(IReadOnlyList<string> origins, CancellationToken cancellationToken) => inner.AllowBrowserReadsAsync(origins, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);
}
