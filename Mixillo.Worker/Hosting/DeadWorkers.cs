using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.Worker.Core;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Jobs still held by workers of this host that are known dead (<see cref="WorkerIdentity.IsKnownDead"/>): a
/// starting worker, which has just removed their scratch and killed their orphan ffmpeg, releases them at once
/// instead of leaving them to stuck recovery a whole <c>Queue:StuckAfter</c> later. They are released as stuck
/// recovery would release them (a <c>worker_lost</c> error, back to the queue behind a backoff, or failed when out
/// of retries), through the dead worker's own lease, so a job that moved on meanwhile is left alone.
/// </summary>
public static class DeadWorkers
{
    public static async Task<IReadOnlyList<TranscodeJob>> ReleaseJobsAsync(IJobStore store, WorkerIdentity self, CancellationToken cancellationToken)
    {
        var released = new List<TranscodeJob>();
        JobCursor? after = null;
        do
        {
            var page = await store.ListAsync(new JobQuery { Status = JobStatus.Processing, Limit = JobQuery.MaxLimit, After = after }, cancellationToken);
            foreach (var job in page.Jobs)
            {
                if (job.Worker is not { } holder || !WorkerIdentity.IsKnownDead(holder))
                {
                    continue;
                }

                try
                {
                    released.Add(await store.UpdateAsync(
                        new JobLease(job.JobId, holder.WorkerId, job.LeaseToken),
                        (j, now) => j.Fail(WorkerLost(holder, self, now), now, Random.Shared.NextDouble()),
                        cancellationToken));
                }
                catch (LeaseLostException)
                {
                    // Recovered, cancelled or finished since the list was read.
                }
            }

            after = page.Next;
        }
        while (after is not null);

        return released;
    }

    private static JobError WorkerLost(WorkerInfo holder, WorkerIdentity self, DateTimeOffset now) =>
        JobFailures.Of(ErrorCatalog.WorkerLost, "job", $"Worker {holder.WorkerId} is no longer running; {self.WorkerId} released the job as it started.", now);
}
