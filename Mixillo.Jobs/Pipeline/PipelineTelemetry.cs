using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Pipeline;

/// <summary>
/// The pipeline's span source and meter, named <c>Mixillo.Worker</c> as operators know them (stages run in workers):
/// what operators alert on. docs/operations.md lists them.
/// </summary>
public static class PipelineTelemetry
{
    public const string Name = "Mixillo.Worker";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly InstrumentAdvice<double> Seconds = new() { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600] };

    /// <summary>From a job being ready (queued, past any backoff) to a worker claiming its stage, by stage.</summary>
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram(
        "mixillo.queue.wait", "s", "Time a ready stage waited for a worker", advice: Seconds);

    /// <summary>One stage on one worker, by stage and outcome (completed, failed, cancelled, released, lease_lost).</summary>
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram(
        "mixillo.stage.duration", "s", "Wall time of each stage run", advice: Seconds);

    /// <summary>From the first claim to the final status, by that status (completed, failed, cancelled).</summary>
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram(
        "mixillo.job.duration", "s", "Processing time of each finished job, first start to finish", advice: Seconds);

    /// <summary>Jobs that reached a final status, by status: the failure rate's numerator and denominator.</summary>
    public static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>(
        "mixillo.jobs.finished", "{job}", "Jobs that reached a final status");

    /// <summary>Every failed stage attempt, by error code, stage and whether it will be retried.</summary>
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "mixillo.job.failures", "{failure}", "Failed stage attempts by error code");

    /// <summary>Stuck jobs (a worker that stopped heartbeating) taken back, by what became of them (queued, failed).</summary>
    public static readonly Counter<long> Recovered = Meter.CreateCounter<long>(
        "mixillo.jobs.recovered", "{job}", "Stuck jobs recovered from lost workers");

    /// <summary>Bytes of object storage by direction: read and written by stages, copied inside storage by publish.</summary>
    public static readonly Counter<long> StorageBytes = Meter.CreateCounter<long>(
        "mixillo.storage.bytes", "By", "Bytes stages read from, wrote to, and copied inside object storage");

    /// <summary>Counts a job that has just reached its final status, and its processing time.</summary>
    public static void RecordFinished(TranscodeJob job)
    {
        if (job.Status is not (JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled))
        {
            return;
        }

        var status = new KeyValuePair<string, object?>(Status, JobJson.Name(job.Status));
        JobsFinished.Add(1, status);
        if (job.StartedAt is { } started && job.CompletedAt is { } completed)
        {
            JobDuration.Record((completed - started).TotalSeconds, status);
        }
    }

    /// <summary>Counts stuck jobs taken back (re-queued, or failed for good), and those that thereby finished.</summary>
    public static void RecordRecovered(IReadOnlyList<TranscodeJob> jobs)
    {
        foreach (var job in jobs)
        {
            Recovered.Add(1, new KeyValuePair<string, object?>(Outcome, JobJson.Name(job.Status)));
            RecordFinished(job);
        }
    }

    public const string Outcome = "outcome";
    public const string Status = "status";
    public const string ErrorType = "error.type";
    public const string Direction = "direction";
}
