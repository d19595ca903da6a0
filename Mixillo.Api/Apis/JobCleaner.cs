using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>
/// <c>DELETE /jobs/old</c>: failed and cancelled jobs that finished more than N days ago go, and with each
/// everything of its content: the source an upload stored (<c>sources/{contentId}/</c>), whatever a publish left
/// under <c>videos/{contentId}/</c> and the job's staging. So the content then answers 404 to its owner, as its
/// media already did. Completed jobs are never cleaned: a completed job is the record of published content, and
/// removing videos is not queue housekeeping. Files go before records: a cleaning cut short leaves records whose
/// files are partly gone (the next cleaning finishes them), never files that no record leads to.
/// </summary>
public sealed class JobCleaner(IJobStore store, IObjectStorage storage, TimeProvider time)
{
    private const int Batch = 100;

    /// <summary>Returns how many jobs were deleted.</summary>
    public async Task<int> CleanAsync(double days, CancellationToken cancellationToken)
    {
        var finishedBefore = time.GetUtcNow() - TimeSpan.FromDays(days);
        var deleted = 0;
        while (true)
        {
            var jobs = await store.CleanableAsync(finishedBefore, Batch, cancellationToken);
            if (jobs.Count == 0)
            {
                return deleted;
            }

            foreach (var job in jobs)
            {
                // A content with a second job (an older version let one take it over) keeps its files: they may be the other job's.
                if ((await store.ListAsync(new JobQuery { ContentId = job.ContentId, Limit = 2 }, cancellationToken)).Jobs.Count == 1)
                {
                    await storage.DeletePrefixAsync(OutputKeys.Sources(job.ContentId), cancellationToken);
                    await storage.DeletePrefixAsync(OutputKeys.Published(job.ContentId), cancellationToken);
                }

                await storage.DeletePrefixAsync(OutputKeys.Staging(job.JobId), cancellationToken);
            }

            deleted += await store.DeleteCleanableAsync([.. jobs.Select(j => j.JobId)], finishedBefore, cancellationToken);
            if (jobs.Count < Batch)
            {
                return deleted;
            }
        }
    }
}
