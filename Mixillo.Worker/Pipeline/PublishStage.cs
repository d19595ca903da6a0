using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;

namespace Mixillo.Worker.Pipeline;

/// <summary>Publish: every completed task's outputs copied from staging under <c>videos/{contentId}/</c>, manifests last; the job completes.</summary>
internal sealed class PublishStage(StageStorage transfers, CostOptions prices) : IStage
{
    public JobStage Stage => JobStage.Publish;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var job = context.Job;
        var target = OutputKeys.Published(job.ContentId);
        // Every completed task's attempt prefix, oldest first, so a later attempt's file wins.
        var prefixes = job.Tasks
            .Where(t => t.Status == JobTaskStatus.Completed && t.Output is not null)
            .OrderBy(t => t.CompletedAt)
            .Select(t => t.Output!)
            .Distinct()
            .ToList();
        var copies = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var prefix in prefixes)
        {
            await foreach (var stored in transfers.ListAsync(prefix, cancellationToken))
            {
                copies[stored.Key[prefix.Length..]] = stored;
            }
        }

        // Manifests last: until they exist, no player finds a half-published stream.
        foreach (var (relative, stored) in copies.OrderBy(c => ContentTypes.IsManifest(c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            await transfers.CopyAsync(context, stored, target + relative, cancellationToken);
        }

        // Every copy is done: staging goes before the job says completed, so nobody sees a completed job with
        // staging left. A crash between the two re-runs publish, which finds nothing to copy and completes.
        await transfers.DeleteStagingQuietlyAsync(OutputKeys.Staging(job.JobId));
        var recordUsage = context.TakeUsage(prices);
        await context.ChangeAsync(
            (j, now) =>
            {
                recordUsage(j, now);
                j.CompleteStage(now);
            },
            cancellationToken);
    }
}
