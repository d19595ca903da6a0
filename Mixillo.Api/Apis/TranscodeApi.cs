using Microsoft.AspNetCore.Http.HttpResults;
using Mixillo.Api.Auth;
using Mixillo.Api.Http;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>The admin API over transcode jobs, with the routes and shapes of the original design (role admin).</summary>
public static class TranscodeApi
{
    /// <summary>An operator's retry goes ahead of new uploads (5) but behind urgent work.</summary>
    public const int RetryPriority = 7;

    public static IEndpointRouteBuilder MapTranscodeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/transcode").WithTags("Transcode (admin)").RequireAuthorization(AuthOptions.AdminPolicy).RequireCors(OriginOptions.ApiPolicy).WithJsonBodyLimit();

        api.MapGet("/queue/status", QueueStatus).WithName("QueueStatus").WithSummary("Jobs by state: waiting, active, delayed, completed, failed");
        api.MapGet("/stats", Stats).WithName("Stats").WithSummary("Counts and processing times by status over the last timeRange hours");
        api.MapGet("/jobs", ListJobs).WithName("ListJobs").WithSummary("Jobs, filtered, sorted and paged")
            .ProducesProblems(ErrorCatalog.InvalidCursor);
        api.MapPost("/jobs", CreateJob).WithName("CreateJob").WithSummary("Enqueue a job for a source already in storage")
            .ProducesProblems(ErrorCatalog.InvalidStorageKey, ErrorCatalog.SourceMissing, ErrorCatalog.InvalidJob, ErrorCatalog.ContentExists);
        api.MapGet("/jobs/stuck", StuckJobs).WithName("StuckJobs").WithSummary("Processing jobs whose heartbeat is older than Queue:StuckAfter");
        api.MapPost("/jobs/stuck/reset", ResetStuck).WithName("ResetStuckJobs").WithSummary("Re-queue (or fail, out of retries) every stuck job now");
        api.MapDelete("/jobs/old", CleanOld).WithName("CleanOldJobs").WithSummary("Delete failed and cancelled jobs older than days, with their content's files (completed jobs stay)");
        api.MapGet("/jobs/{jobId}", GetJob).WithName("GetJob").WithSummary("One job, whole")
            .ProducesProblems(ErrorCatalog.InvalidId, ErrorCatalog.JobNotFound);
        api.MapPost("/jobs/{jobId}/retry", RetryJob).WithName("RetryJob").WithSummary("Re-queue a failed job (within maxRetries) at priority 7")
            .ProducesProblems(ErrorCatalog.InvalidId, ErrorCatalog.JobNotFound, ErrorCatalog.IllegalTransition, ErrorCatalog.RetriesExhausted);
        api.MapPost("/jobs/{jobId}/cancel", CancelJob).WithName("CancelJob").WithSummary("Cancel a waiting job, or ask a running one to stop")
            .ProducesProblems(ErrorCatalog.InvalidId, ErrorCatalog.JobNotFound, ErrorCatalog.IllegalTransition);
        api.MapPost("/jobs/{jobId}/tasks/{taskId}/retry", RetryTask).WithName("RetryTask").WithSummary("Re-queue a failed job to run one failed task again")
            .ProducesProblems(ErrorCatalog.InvalidId, ErrorCatalog.JobNotFound, ErrorCatalog.NotFound, ErrorCatalog.TaskNotFailed, ErrorCatalog.IllegalTransition, ErrorCatalog.RetriesExhausted);
        return app;
    }

    /// <summary>The hours of stats beside the queue's depth.</summary>
    public const double QueueStatsHours = 24;

    public static async Task<Ok<Envelope<QueueStatusView>>> QueueStatus(IJobStore store, CancellationToken cancellationToken)
    {
        var counts = await store.CountAsync(cancellationToken);
        var stats = await store.StatsAsync(QueueStatsHours, cancellationToken);
        return TypedResults.Ok(Envelope.Of(new QueueStatusView(QueueDepth.Of(counts), StatsView.Of(stats))));
    }

    public static async Task<Results<Ok<Envelope<StatsView>>, ProblemHttpResult>> Stats(IJobStore store, double? timeRange, CancellationToken cancellationToken)
    {
        var hours = timeRange ?? 24;
        // Written so that NaN fails too (every comparison with it is false).
        if (hours is not (> 0 and <= 24 * 365))
        {
            return Problems.Of(ErrorCatalog.BadRequest, "timeRange is a number of hours between 0 and 8760.");
        }

        return TypedResults.Ok(Envelope.Of(StatsView.Of(await store.StatsAsync(hours, cancellationToken))));
    }

    public static async Task<Results<Ok<Envelope<IReadOnlyList<JobListItem>>>, ProblemHttpResult>> ListJobs(
        IJobStore store, string? status, string? userId, int? limit, int? skip, string? sortBy, string? sortOrder, string? cursor, CancellationToken cancellationToken)
    {
        JobStatus? parsedStatus = null;
        JobSort? sort;
        try
        {
            parsedStatus = status is null ? null : JobJson.Parse<JobStatus>(status);
            // Names only: Enum.Parse would also take "7", a sort that does not exist.
            sort = sortBy is null ? null
                : Enum.GetNames<JobSort>().FirstOrDefault(n => n.Equals(sortBy, StringComparison.OrdinalIgnoreCase)) is { } name ? Enum.Parse<JobSort>(name)
                : throw new ArgumentException($"No sort '{sortBy}'.", nameof(sortBy));
        }
        catch (ArgumentException)
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"status is one of pending, queued, processing, completed, failed, cancelled; sortBy one of {string.Join(", ", Enum.GetNames<JobSort>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}.");
        }

        if (sortOrder is not (null or "asc" or "desc") || limit is < 1 or > JobQuery.MaxLimit || skip < 0 || (userId is not null && !UserIds.IsValid(userId)))
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"sortOrder is asc or desc; limit 1-{JobQuery.MaxLimit}; skip 0 or more; {UserIds.Rule}");
        }

        // A cursor carries its order; sortBy and sortOrder may be left out with it, but not contradict it.
        var after = cursor is null ? null : JobCursor.Decode(cursor);
        var descending = sortOrder is null ? after?.Descending ?? true : sortOrder == "desc";
        if (cursor is not null && (after is null || skip > 0 || after.SortBy != (sort ?? after.SortBy) || after.Descending != descending))
        {
            return Problems.Of(ErrorCatalog.InvalidCursor, "cursor is the nextCursor of an earlier page, with the same sortBy and sortOrder, and without skip.");
        }

        var query = new JobQuery { Status = parsedStatus, UserId = userId, SortBy = sort ?? after?.SortBy ?? JobSort.CreatedAt, Descending = descending, Limit = limit ?? 20, Skip = skip ?? 0, After = after };
        var page = await store.ListAsync(query, cancellationToken);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<JobListItem>>(
            [.. page.Jobs.Select(JobListItem.Of)],
            new PageMeta(page.Total, query.Limit, query.Skip, page.Next is not null, page.Next?.Encode())));
    }

    public static async Task<Results<Created<Envelope<TranscodeJob>>, ProblemHttpResult>> CreateJob(
        IJobStore store, IObjectStorage storage, CreateJobRequest request, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsValid(request.SourceKey))
        {
            return Problems.Of(ErrorCatalog.InvalidStorageKey, "sourceKey is not a valid storage key.");
        }

        // A job reads its source with the service's rights: only uploaded sources, never published or staged files.
        if (!request.SourceKey.StartsWith("uploads/", StringComparison.Ordinal) && !request.SourceKey.StartsWith("sources/", StringComparison.Ordinal))
        {
            return Problems.Of(ErrorCatalog.InvalidStorageKey, "sourceKey must be under uploads/ or sources/.");
        }

        if (await storage.StatAsync(request.SourceKey, cancellationToken) is not { } source)
        {
            return Problems.Of(ErrorCatalog.SourceMissing, $"No object '{request.SourceKey}' in storage.");
        }

        TranscodeJob job;
        try
        {
            job = await store.CreateAsync(
                new NewJob
                {
                    ContentId = request.ContentId,
                    UserId = request.UserId,
                    Content = request.Content,
                    User = request.User,
                    Source = new SourceFile { Key = request.SourceKey, SizeBytes = source.SizeBytes, OriginalName = Path.GetFileName(request.SourceKey) },
                    Options = request.Options ?? new JobOptions(),
                    Priority = request.Priority ?? NewJob.DefaultPriority,
                },
                queue: true,
                cancellationToken);
        }
        catch (ArgumentException ex)
        {
            return Problems.Of(ErrorCatalog.InvalidJob, ex.Message);
        }
        catch (ContentExistsException ex)
        {
            return Problems.Of(ErrorCatalog.ContentExists, ex.Message);
        }

        return TypedResults.Created($"/api/transcode/jobs/{job.JobId}", Envelope.Of(job));
    }

    public static async Task<Ok<Envelope<IReadOnlyList<TranscodeJob>>>> StuckJobs(IJobStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(Envelope.Of(await store.StuckAsync(cancellationToken)));

    public static async Task<Ok<Envelope<ResetView>>> ResetStuck(IJobStore store, CancellationToken cancellationToken)
    {
        var recovered = await store.RecoverStuckAsync(cancellationToken);
        PipelineTelemetry.RecordRecovered(recovered);
        return TypedResults.Ok(Envelope.Of(ResetView.Of(recovered)));
    }

    /// <summary>Cleaning's default age, as the original design had it.</summary>
    public const double DefaultCleanDays = 30;

    /// <summary>Younger jobs are cleaned only with force=true: days=0 would otherwise take what failed a moment ago, before anyone looked.</summary>
    public const double MinCleanDays = 1;

    /// <summary>Ten years: older than any job, and far from the calendar's start, which a cutoff cannot cross.</summary>
    public const double MaxCleanDays = 3650;

    public static async Task<Results<Ok<Envelope<CleanView>>, ProblemHttpResult>> CleanOld(JobCleaner cleaner, double? days, bool? force, CancellationToken cancellationToken)
    {
        var age = days ?? DefaultCleanDays;
        if (age is not (>= 0 and <= MaxCleanDays))
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"days is a number of days from 0 to {MaxCleanDays}.");
        }

        if (age < MinCleanDays && force != true)
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"days under {MinCleanDays} cleans jobs that have only just finished; add force=true to mean it.");
        }

        return TypedResults.Ok(Envelope.Of(new CleanView(await cleaner.CleanAsync(age, cancellationToken), age)));
    }

    public static async Task<Results<Ok<Envelope<TranscodeJob>>, ProblemHttpResult>> GetJob(IJobStore store, string jobId, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(jobId))
        {
            return InvalidJobId();
        }

        return await store.GetAsync(jobId, cancellationToken) is { } job
            ? TypedResults.Ok(Envelope.Of(job))
            : Problems.Of(ErrorCatalog.JobNotFound, $"No job {jobId}.");
    }

    public static Task<Results<Ok<Envelope<TranscodeJob>>, ProblemHttpResult>> RetryJob(IJobStore store, string jobId, CancellationToken cancellationToken) =>
        ChangeAsync(store, jobId, (job, now) => job.Retry(now, RetryPriority), cancellationToken, RetryMessage);

    public static async Task<Results<Ok<Envelope<TranscodeJob>>, ProblemHttpResult>> CancelJob(IJobStore store, string jobId, CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(store, jobId, (job, now) => job.Cancel(now), cancellationToken);
        if (result.Result is Ok<Envelope<TranscodeJob>> { Value: { } cancelled })
        {
            // A waiting job ends here; a running one ends on its worker, which counts it.
            PipelineTelemetry.RecordFinished(cancelled.Data);
        }

        return result;
    }

    public static async Task<Results<Ok<Envelope<TranscodeJob>>, ProblemHttpResult>> RetryTask(IJobStore store, string jobId, string taskId, CancellationToken cancellationToken)
    {
        JobTaskType type;
        try
        {
            type = JobJson.Parse<JobTaskType>(taskId);
        }
        catch (ArgumentException)
        {
            return Problems.Of(ErrorCatalog.NotFound, $"No task '{taskId}'; tasks are transcode, thumbnail, hls, dash, audio_extract and preview.");
        }

        var job = JobIds.IsValid(jobId) ? await store.GetAsync(jobId, cancellationToken) : null;
        if (job?.Tasks.FirstOrDefault(t => t.Type == type) is not { } task)
        {
            return job is null ? Problems.Of(ErrorCatalog.JobNotFound, $"No job {jobId}.") : Problems.Of(ErrorCatalog.NotFound, $"Job {jobId} has no {taskId} task.");
        }

        if (task.Status != JobTaskStatus.Failed)
        {
            return Problems.Of(ErrorCatalog.TaskNotFailed, $"Task {taskId} is {JobJson.Name(task.Status)}; only a failed task is retried.");
        }

        // The job retry re-runs its stage, where every completed task is kept: only the failed task runs again.
        return await ChangeAsync(store, jobId, (j, now) => j.Retry(now, RetryPriority), cancellationToken, RetryMessage);
    }

    private const string RetryMessage = "Job retry initiated";

    private static async Task<Results<Ok<Envelope<TranscodeJob>>, ProblemHttpResult>> ChangeAsync(
        IJobStore store, string jobId, Action<TranscodeJob, DateTimeOffset> change, CancellationToken cancellationToken, string? message = null) =>
        JobIds.IsValid(jobId) ? TypedResults.Ok(new Envelope<TranscodeJob>(await store.ChangeAsync(jobId, change, cancellationToken), Message: message)) : InvalidJobId();

    private static ProblemHttpResult InvalidJobId() => Problems.Of(ErrorCatalog.InvalidId, "A jobId is 1-64 letters, digits, '_' or '-'.");
}

public sealed record CreateJobRequest(string ContentId, string UserId, string SourceKey, JobOptions? Options, int? Priority, ContentInfo? Content, UserInfo? User);
