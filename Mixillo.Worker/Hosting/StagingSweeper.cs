using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Removes staging no job needs any more: that of completed or cancelled jobs (a cancel while the job waited
/// between stages leaves it; so does a crash between publishing and removing it) and of jobs that no longer
/// exist (cleaned). A failed job keeps its staging while it exists: an operator's retry resumes from it.
/// </summary>
public sealed class StagingSweeper(IJobQueries store, IObjectStorage storage)
{
    /// <summary>Returns the jobs whose staging was removed.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken cancellationToken)
    {
        var staged = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var stored in storage.ListAsync(OutputKeys.StagingRoot, cancellationToken))
        {
            if (OutputKeys.StagedJob(stored.Key) is { } jobId)
            {
                staged.Add(jobId);
            }
        }

        var swept = new List<string>();
        foreach (var jobId in staged)
        {
            if (await store.GetAsync(jobId, cancellationToken) is not { Status: not (JobStatus.Completed or JobStatus.Cancelled) })
            {
                await storage.DeletePrefixAsync(OutputKeys.Staging(jobId), cancellationToken);
                swept.Add(jobId);
            }
        }

        return swept;
    }
}
