using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Worker;

/// <summary>Real storage with one injected fault: the first upload of a key ending with <paramref name="suffix"/> fails.</summary>
internal sealed class FailingOnceStorage(IObjectStorage inner, string suffix) : StorageDecorator(inner)
{
    private int _failed;

    public override Task PutFileAsync(string key, string path, CancellationToken cancellationToken) =>
        key.EndsWith(suffix, StringComparison.Ordinal) && Interlocked.Exchange(ref _failed, 1) == 0
            ? throw new IOException($"injected: the upload of {key} broke off")
            : base.PutFileAsync(key, path, cancellationToken);
}
