using Mixillo.Media.Probing;

namespace Mixillo.Jobs.Model;

/// <summary>The job's work: its tasks and what they produced (outputs, thumbnails, preview, audio, the source's metadata, usage).</summary>
public sealed partial class TranscodeJob
{
    public JobTask Task(JobTaskType type) =>
        Tasks.FirstOrDefault(t => t.Type == type) ?? throw new KeyNotFoundException($"Job {JobId} has no {JobJson.Name(type)} task.");

    /// <summary>Adds a task the job did not have (DASH asked for later, say); an existing one is returned as it is.</summary>
    public JobTask AddTask(JobTaskType type)
    {
        if (Tasks.FirstOrDefault(t => t.Type == type) is { } existing)
        {
            return existing;
        }

        var task = new JobTask { TaskId = JobJson.Name(type), Type = type };
        Tasks.Add(task);
        return task;
    }

    /// <summary>Progress of a task (0-100); the first report marks it processing and stamps its start.</summary>
    public void UpdateTask(JobTaskType type, double progress, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Processing;
        task.StartedAt ??= now;
        task.Progress = Math.Clamp(progress, task.Progress, 100);
        task.Error = null;
    }

    public void CompleteTask(JobTaskType type, string? output, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Completed;
        task.StartedAt ??= now;
        task.CompletedAt = now;
        task.Progress = 100;
        task.Output = output;
        task.Error = null;
    }

    public void FailTask(JobTaskType type, string error, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Failed;
        task.CompletedAt = now;
        task.Error = error;
    }

    /// <summary>A task with nothing to do (no audio to extract from a silent source, say).</summary>
    public void SkipTask(JobTaskType type, DateTimeOffset now)
    {
        var task = Task(type);
        EnsureOpen(task);
        task.Status = JobTaskStatus.Skipped;
        task.CompletedAt = now;
    }

    /// <summary>Makes a failed or completed task run again (an operator's retry of one task); the others keep their results.</summary>
    public void ResetTask(JobTaskType type)
    {
        var task = Task(type);
        task.Status = JobTaskStatus.Pending;
        task.Progress = 0;
        task.StartedAt = null;
        task.CompletedAt = null;
        task.Error = null;
        task.Output = null;
        task.RetryCount++;
    }

    /// <summary>Records a rendition or stream manifest; a second one for the same quality replaces the first.</summary>
    public void AddOutput(JobOutput output)
    {
        Outputs.RemoveAll(o => o.Quality == output.Quality);
        Outputs.Add(output);
    }

    /// <summary>Records a thumbnail; one at the same key replaces the earlier one.</summary>
    public void AddThumbnail(JobThumbnail thumbnail)
    {
        Thumbnails.RemoveAll(t => t.Key == thumbnail.Key);
        Thumbnails.Add(thumbnail);
    }

    /// <summary>
    /// Records what probing the source found (kept whole, so no later stage probes again), and the estimate from it
    /// unless the job already has one.
    /// </summary>
    public void RecordSource(SourceMetadata probe, JobCost estimate)
    {
        Probe = probe;
        _sourceFile = _sourceFile with { Metadata = SourceInfo.Of(probe), SizeBytes = probe.SizeBytes };
        EstimatedCost ??= estimate;
    }

    public void RecordPreview(AnimatedPreview preview) => AnimatedPreview = preview;

    public void RecordAudio(AudioTrack audio) => AudioTrack = audio;

    /// <summary>Adds a stage's usage to the job's, and prices the total.</summary>
    public void AddUsage(JobUsage usage, Func<JobUsage, JobCost> price)
    {
        Usage = Usage.Add(usage.CpuSeconds, usage.BytesRead, usage.BytesWritten);
        ActualCost = price(Usage);
    }

    private void EnsureOpen(JobTask task)
    {
        if (task.Status is JobTaskStatus.Completed or JobTaskStatus.Skipped)
        {
            throw new InvalidOperationException($"Task {task.TaskId} of job {JobId} is {JobJson.Name(task.Status)}; reset it before running it again.");
        }
    }
}
