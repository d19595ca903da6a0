using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

using Mixillo.Jobs.Pipeline;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// One claimed stage while it runs: its lease, its scratch folder, its usage, and the latest progress, which
/// is written to the job at most every <see cref="WorkerOptions.ProgressInterval"/> rather than per report.
/// </summary>
internal sealed class StageContext(TranscodeJob job, JobLease lease, string scratch, IJobQueue store)
{
    private readonly Lock _progressLock = new();
    private (JobTaskType Task, double TaskPercent, double Overall, string Step)? _pending;

    public TranscodeJob Job { get; private set; } = job;

    public JobLease Lease { get; } = lease;

    public string Scratch { get; } = scratch;

    public JobUsage Usage { get; private set; } = JobUsage.None;

    /// <summary>The task running now: a failure is recorded against it.</summary>
    public JobTaskType? CurrentTask { get; set; }

    /// <summary>
    /// Adds to the job's usage. Bytes also count in <c>mixillo.storage.bytes</c> by direction: read and written
    /// through this worker, or copied inside storage (publishing; the job pays for them as written).
    /// </summary>
    public void Use(double cpuSeconds = 0, long bytesRead = 0, long bytesWritten = 0, long bytesCopied = 0)
    {
        Usage = Usage.Add(cpuSeconds, bytesRead, bytesWritten + bytesCopied);
        Count(bytesRead, "read");
        Count(bytesWritten, "written");
        Count(bytesCopied, "copied");
        static void Count(long bytes, string direction)
        {
            if (bytes > 0)
            {
                PipelineTelemetry.StorageBytes.Add(bytes, new KeyValuePair<string, object?>(PipelineTelemetry.Direction, direction));
            }
        }
    }

    public void ReportProgress(JobTaskType task, double taskPercent, double overall, string step)
    {
        lock (_progressLock)
        {
            _pending = (task, taskPercent, overall, step);
        }
    }

    /// <summary>The lease holder's write; the job seen afterwards is the saved one.</summary>
    public async Task ChangeAsync(Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken) =>
        Job = await store.UpdateAsync(Lease, change, cancellationToken);

    /// <summary>Records usage so far on the job (and the cost it comes to), then forgets it, so nothing is counted twice.</summary>
    public Action<TranscodeJob, DateTimeOffset> TakeUsage(CostOptions prices)
    {
        var usage = Usage;
        Usage = JobUsage.None;
        return (job, _) => job.AddUsage(usage, total => CostModel.Actual(total.CpuSeconds, total.BytesWritten, total.BytesRead, prices));
    }

    /// <summary>
    /// Writes the latest progress if any came since the last write (a finished task keeps its 100 %). Returns true
    /// when it wrote, and so read the job back.
    /// </summary>
    public async Task<bool> FlushProgressAsync(CancellationToken cancellationToken)
    {
        (JobTaskType Task, double TaskPercent, double Overall, string Step) progress;
        lock (_progressLock)
        {
            if (_pending is not { } pending)
            {
                return false;
            }

            progress = pending;
            _pending = null;
        }

        await ChangeAsync(
            (job, now) =>
            {
                if (job.Tasks.FirstOrDefault(t => t.Type == progress.Task) is { Status: JobTaskStatus.Pending or JobTaskStatus.Processing })
                {
                    job.UpdateTask(progress.Task, progress.TaskPercent, now);
                }

                job.ReportProgress(new JobProgress { Overall = Math.Round(progress.Overall, 1), CurrentTask = JobJson.Name(progress.Task), CurrentStep = progress.Step }, now);
            },
            cancellationToken);
        return true;
    }
}
