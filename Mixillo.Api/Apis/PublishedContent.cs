using Microsoft.Extensions.Caching.Memory;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>
/// Whether a content's files may be served: only once its job has completed. Publishing copies the files under
/// videos/{contentId}/ one by one while the job is still processing, and a crash part-way leaves some there; they
/// stay unseen until a later publish finishes the set and completes the job. Asking the store on every request would
/// put a query behind every HLS segment, so a completed content is remembered: completed is final (no transition
/// leaves it, cleaning keeps completed jobs). Nothing else is remembered, so a content is served the moment it completes.
/// </summary>
public sealed class PublishedContent(IJobStore store) : IDisposable
{
    /// <summary>About 200 bytes each: the cache stays under a few tens of megabytes however many contents play.</summary>
    private const int MaxRemembered = 100_000;

    private static readonly MemoryCacheEntryOptions Remembered = new() { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) };

    private readonly MemoryCache _completed = new(new MemoryCacheOptions { SizeLimit = MaxRemembered });

    public async ValueTask<bool> IsPublishedAsync(string contentId, CancellationToken cancellationToken)
    {
        if (_completed.TryGetValue(contentId, out _))
        {
            return true;
        }

        if (await store.GetByContentAsync(contentId, cancellationToken) is not { Status: JobStatus.Completed })
        {
            return false;
        }

        _completed.Set(contentId, true, Remembered);
        return true;
    }

    public void Dispose() => _completed.Dispose();
}
