using Microsoft.Extensions.Caching.Memory;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>
/// Where a live stream's files are, if it may be served. The content's job must carry that stream (<see cref="TranscodeJob.Live"/>,
/// by its lease) and be under way, when the files are in the attempt's staging, or completed, when the same segments
/// and the finished playlists are published under videos/. While it publishes, a file is looked for in both: publish
/// copies them out and removes staging before the job completes. A failed or cancelled job's stream is gone, and so is
/// one that an encode started over has replaced. A content's job is read at most once a second: players fetch a
/// playlist and a segment or two every few seconds, and many may watch.
/// </summary>
public sealed class LiveStreams(IJobStore store) : IDisposable
{
    private const int MaxRemembered = 10_000;

    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly MemoryCache _seen = new(new MemoryCacheOptions { SizeLimit = MaxRemembered });

    /// <summary>The storage prefixes that may hold the stream's hls/ folder, in the order to look; none when it may not be served.</summary>
    public async ValueTask<IReadOnlyList<string>> PrefixesAsync(string contentId, long lease, CancellationToken cancellationToken)
    {
        if (!_seen.TryGetValue(contentId, out Seen? seen))
        {
            var job = await store.GetByContentAsync(contentId, cancellationToken);
            seen = new Seen(job?.JobId, job?.Status, job?.Stage, job?.Live?.Lease);
            _seen.Set(contentId, seen, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Freshness });
        }

        return seen!.Lease != lease || seen.JobId is not { } jobId
            ? []
            : seen.Status switch
            {
                JobStatus.Completed => [OutputKeys.Published(contentId)],
                JobStatus.Queued or JobStatus.Processing when seen.Stage == JobStage.Publish => [OutputKeys.Attempt(jobId, lease), OutputKeys.Published(contentId)],
                JobStatus.Queued or JobStatus.Processing => [OutputKeys.Attempt(jobId, lease)],
                _ => [],
            };
    }

    public void Dispose() => _seen.Dispose();

    private sealed record Seen(string? JobId, JobStatus? Status, JobStage? Stage, long? Lease);
}
