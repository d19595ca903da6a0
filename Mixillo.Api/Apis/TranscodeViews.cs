using System.Globalization;
using System.Text.Json.Serialization;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

// The admin API's bodies, in the original design's field names, nesting and units (milliseconds, "_id",
// populated "contentId"/"userId"): admin tools read them. Fields beyond the design's are additions.

/// <summary><c>GET /api/transcode/queue/status</c>: the queue's depth, and the last 24 hours' stats.</summary>
public sealed record QueueStatusView(QueueDepth Queue, StatsView Stats);

/// <summary>Jobs by queue state. Waiting jobs can start now; delayed ones are backing off after a failure.</summary>
public sealed record QueueDepth(long Waiting, long Active, long Completed, long Failed, long Delayed, long Total, long Pending, long Cancelled)
{
    public static QueueDepth Of(QueueCounts c) => new(c.Waiting, c.Active, c.Completed, c.Failed, c.Delayed, c.Total, c.Pending, c.Cancelled);
}

/// <summary>
/// Jobs created in the last <c>timeRange</c> by status; the processing time of those that completed;
/// <c>successRate</c> = completed / (completed + failed), in percent with two decimals (null before any finished).
/// </summary>
public sealed record StatsView(
    long TotalJobs,
    IReadOnlyList<StatusStatsView> ByStatus,
    string TimeRange,
    ProcessingTimeView ProcessingTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? SuccessRate,
    long CompletedCount,
    long FailedCount)
{
    public static StatsView Of(JobStats stats)
    {
        var completed = stats.ByStatus.FirstOrDefault(s => s.Status == JobStatus.Completed);
        return new StatsView(
            stats.ByStatus.Sum(s => s.Count),
            [.. stats.ByStatus.Select(StatusStatsView.Of)],
            string.Create(CultureInfo.InvariantCulture, $"{stats.Hours:0.###}h"),
            new ProcessingTimeView(Ms(completed?.AverageTime), Ms(completed?.MinTime), Ms(completed?.MaxTime)),
            stats.SuccessRate is { } rate ? (rate * 100).ToString("0.00", CultureInfo.InvariantCulture) : null,
            stats.Count(JobStatus.Completed),
            stats.Count(JobStatus.Failed));
    }

    internal static long? Ms(TimeSpan? time) => time is { } value ? (long)Math.Round(value.TotalMilliseconds) : null;
}

/// <summary>One status: <c>_id</c> is the status; times in milliseconds (null while none of them finished).</summary>
public sealed record StatusStatsView(
    [property: JsonPropertyName("_id")] JobStatus Id,
    long Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? AvgProcessingTime,
    long? MinProcessingTime,
    long? MaxProcessingTime,
    decimal TotalCost)
{
    public static StatusStatsView Of(StatusStats s) =>
        new(s.Status, s.Count, StatsView.Ms(s.AverageTime), StatsView.Ms(s.MinTime), StatsView.Ms(s.MaxTime), s.TotalCost);
}

/// <summary>Started to finished, in milliseconds, over the completed jobs (null before any completed).</summary>
public sealed record ProcessingTimeView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? AvgTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? MinTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? MaxTime);

/// <summary>
/// A job in a list: what an operator's table shows, with the content and the user populated under
/// <c>contentId</c> and <c>userId</c>. The whole job (outputs, usage, every error) is one
/// <c>GET /api/transcode/jobs/{jobId}</c> away.
/// </summary>
public sealed record JobListItem(
    [property: JsonPropertyName("_id")] string Id,
    string JobId,
    [property: JsonPropertyName("contentId")] ContentSummary Content,
    [property: JsonPropertyName("userId")] UserSummary User,
    JobStatus Status,
    JobStage Stage,
    int Priority,
    ProgressSummary Progress,
    IReadOnlyList<TaskSummary> Tasks,
    WorkerInfo? Worker,
    int RetryCount,
    int MaxRetries,
    bool CancelRequested,
    JobError? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt)
{
    public static JobListItem Of(TranscodeJob job) => new(
        job.Id,
        job.JobId,
        new ContentSummary(
            job.ContentId,
            job.Content?.Type ?? "video",
            job.Content?.Caption,
            ContentView.StatusOf(job.Status),
            job.SourceFile.OriginalName,
            job.SourceFile.SizeBytes,
            job.SourceFile.Metadata?.DurationSeconds),
        new UserSummary(job.UserId, job.User?.Username, job.User?.FullName, job.User?.Email),
        job.Status,
        job.Stage,
        job.Priority,
        new ProgressSummary(
            job.Progress.Overall,
            job.Progress.CurrentTask,
            job.Progress.CurrentStep,
            job.Tasks.Count,
            job.Tasks.Count(t => t.Status == JobTaskStatus.Completed),
            job.Tasks.Count(t => t.Status == JobTaskStatus.Failed)),
        [.. job.Tasks.Select(t => new TaskSummary(t.TaskId, t.Type, t.Status, t.Progress, t.StartedAt, t.CompletedAt))],
        job.Worker,
        job.RetryCount,
        job.MaxRetries,
        job.CancelRequested,
        job.Errors.LastOrDefault(),
        job.CreatedAt,
        job.UpdatedAt,
        job.StartedAt,
        job.CompletedAt);
}

/// <summary>The content: <c>_id</c> is its contentId; its status as its owner sees it (processing, ready, failed).</summary>
public sealed record ContentSummary(
    [property: JsonPropertyName("_id")] string Id, string Type, string? Caption, string Status, string? FileName, long SizeBytes, double? DurationSeconds);

/// <summary>The user: <c>_id</c> is their userId; the name fields when their token carried them.</summary>
public sealed record UserSummary([property: JsonPropertyName("_id")] string Id, string? Username, string? FullName, string? Email);

public sealed record ProgressSummary(double Overall, string? CurrentTask, string? CurrentStep, int TasksTotal, int TasksCompleted, int TasksFailed);

/// <summary>A task; <c>startedAt</c> is null (not left out) until it starts.</summary>
public sealed record TaskSummary(
    string TaskId,
    JobTaskType Type,
    JobTaskStatus Status,
    double Progress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

/// <summary><c>POST /jobs/stuck/reset</c>: how many stuck jobs went back to the queue, of how many found (the rest were out of retries and failed).</summary>
public sealed record ResetView(int ResetCount, int TotalStuck, IReadOnlyList<string> JobIds)
{
    public static ResetView Of(IReadOnlyList<TranscodeJob> recovered) =>
        new(recovered.Count(j => j.Status == JobStatus.Queued), recovered.Count, [.. recovered.Select(j => j.JobId)]);
}

/// <summary><c>DELETE /jobs/old</c>: how many finished jobs were deleted, older than how many days.</summary>
public sealed record CleanView(int DeletedCount, double DaysOld);
