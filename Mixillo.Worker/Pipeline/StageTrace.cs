using System.Diagnostics;
using Mixillo.Jobs;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

using Mixillo.Jobs.Pipeline;

namespace Mixillo.Worker.Pipeline;

/// <summary>A stage's span, continuing the trace the job was enqueued in (its traceparent), and what the stage's end means for the job's metrics.</summary>
internal static class StageTrace
{
    public static Activity? Start(TranscodeJob job, JobLease lease)
    {
        // A job enqueued while nothing traced has no traceparent: its stages start traces of their own.
        _ = ActivityContext.TryParse(job.TraceParent, null, out var parent);
        var activity = PipelineTelemetry.Source.StartActivity("job " + JobJson.Name(job.Stage), ActivityKind.Consumer, parent);
        activity?.SetTag(JobsTelemetry.JobId, job.JobId);
        activity?.SetTag(JobsTelemetry.ContentId, job.ContentId);
        activity?.SetTag(JobsTelemetry.Stage, JobJson.Name(job.Stage));
        activity?.SetTag("mixillo.attempt", lease.Token);
        activity?.SetTag("mixillo.worker.id", lease.WorkerId);
        return activity;
    }

    /// <summary>From when the claimed stage could first start (queued, and past any backoff) to its claim.</summary>
    public static TimeSpan? QueueWait(TranscodeJob job)
    {
        if (job.Worker is not { } worker || job.QueuedAt is not { } queued)
        {
            return null;
        }

        var ready = job.NotBefore is { } notBefore && notBefore > queued ? notBefore : queued;
        return worker.StartedAt > ready ? worker.StartedAt - ready : TimeSpan.Zero;
    }

    public static void Failed(Activity? activity, JobError error, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, error.Error);
        activity?.SetTag(PipelineTelemetry.ErrorType, error.Code);
        activity?.AddException(exception);
    }
}
