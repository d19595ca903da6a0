using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Mixillo.Api.Auth;
using Mixillo.Api.Http;
using Mixillo.Api.Uploads;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>Uploads and content status, for any authenticated user; other users' uploads and content do not exist for them.</summary>
public static class ContentApi
{
    public static IEndpointRouteBuilder MapContentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content").WithTags("Content").RequireCors(OriginOptions.ApiPolicy).WithJsonBodyLimit();
        api.MapPost("/upload/initialize", Initialize).WithName("InitializeUpload").WithSummary("Start a chunked upload")
            .ProducesProblems(ErrorCatalog.UploadInvalid, ErrorCatalog.UploadTooLarge, ErrorCatalog.UploadNotVideo, ErrorCatalog.TooManyUploads, ErrorCatalog.UploadQuotaExceeded, ErrorCatalog.TooManyJobs, ErrorCatalog.InsufficientStorage);
        api.MapPut("/upload/{uploadId}/chunks/{index:int}", PutChunk).WithName("PutChunk").WithSummary("Send one chunk (raw bytes); sending it again is harmless")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .ProducesProblems(ErrorCatalog.UploadNotFound, ErrorCatalog.UploadInvalid, ErrorCatalog.ChunkSizeMismatch, ErrorCatalog.ChunkTimeout, ErrorCatalog.UploadCompleted, ErrorCatalog.UploadCompleting, ErrorCatalog.UploadRejected, ErrorCatalog.TooManyChunks, ErrorCatalog.InsufficientStorage);
        api.MapGet("/upload/{uploadId}", GetUpload).WithName("GetUpload").WithSummary("Which chunks arrived, to resume after a dropped connection")
            .ProducesProblems(ErrorCatalog.UploadNotFound);
        api.MapPost("/upload/{uploadId}/complete", Complete).WithName("CompleteUpload").WithSummary("Assemble, validate, and queue the transcode")
            .ProducesProblems(ErrorCatalog.UploadNotFound, ErrorCatalog.UploadInvalid, ErrorCatalog.ChunkSizeMismatch, ErrorCatalog.UploadIncomplete, ErrorCatalog.InputNotFound, ErrorCatalog.InputEmpty, ErrorCatalog.InputNotVideo, ErrorCatalog.InputMalformed, ErrorCatalog.InputTruncated, ErrorCatalog.InputTooShort, ErrorCatalog.InputTooLong, ErrorCatalog.InputTooLarge, ErrorCatalog.InputDimensionsUnsupported, ErrorCatalog.InputUnsupportedFormat, ErrorCatalog.TooManyJobs, ErrorCatalog.InsufficientStorage);
        api.MapGet("/{contentId}", GetContent).WithName("GetContent").WithSummary("Status, playback URLs, and the queue position while waiting")
            .ProducesProblems(ErrorCatalog.ContentNotFound);
        return app;
    }

    public static async Task<Results<Created<Envelope<UploadView>>, ProblemHttpResult>> Initialize(
        UploadService uploads, InitializeUpload request, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var session = await uploads.InitializeAsync(UserId(user), Tokens.Profile(user), request, cancellationToken);
        return TypedResults.Created($"/api/content/upload/{session.UploadId}", Envelope.Of(UploadView.Of(session, [])));
    }

    public static async Task<Results<Ok<Envelope<UploadView>>, ProblemHttpResult>> PutChunk(
        UploadService uploads, string uploadId, int index, HttpRequest request, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await uploads.FindAsync(uploadId, UserId(user), cancellationToken) is not { } session)
        {
            return UploadNotFound(uploadId);
        }

        await uploads.PutChunkAsync(session, index, request.Body, cancellationToken);
        return TypedResults.Ok(Envelope.Of(UploadView.Of(session, await uploads.ReceivedAsync(session, cancellationToken))));
    }

    public static async Task<Results<Ok<Envelope<UploadView>>, ProblemHttpResult>> GetUpload(
        UploadService uploads, string uploadId, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await uploads.FindAsync(uploadId, UserId(user), cancellationToken) is { } session
            ? TypedResults.Ok(Envelope.Of(UploadView.Of(session, await uploads.ReceivedAsync(session, cancellationToken))))
            : UploadNotFound(uploadId);

    public static async Task<Results<Accepted<Envelope<CompletedUpload>>, ProblemHttpResult>> Complete(
        UploadService uploads, string uploadId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await uploads.FindAsync(uploadId, UserId(user), cancellationToken) is not { } session)
        {
            return UploadNotFound(uploadId);
        }

        var completed = await uploads.CompleteAsync(session, cancellationToken);
        return TypedResults.Accepted($"/api/content/{completed.ContentId}", Envelope.Of(new CompletedUpload(completed.ContentId!, completed.JobId!)));
    }

    public static async Task<Results<Ok<Envelope<ContentView>>, ProblemHttpResult>> GetContent(
        IJobQueries store, Mixillo.Jobs.Storage.IObjectStorage storage, string contentId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await OwnedJobAsync(store, contentId, user, cancellationToken) is not { } job)
        {
            return ContentNotFound(contentId);
        }

        return TypedResults.Ok(Envelope.Of(await ContentView.OfAsync(job, await PositionAsync(store, job, cancellationToken), storage)));
    }

    /// <summary>The content's job, if the user owns the content or is an admin; null otherwise (someone else's content does not exist for them).</summary>
    internal static async Task<TranscodeJob?> OwnedJobAsync(IJobQueries store, string contentId, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        (JobIds.IsValid(contentId) ? await store.GetByContentAsync(contentId, cancellationToken) : null) is { } job
            && (job.UserId == UserId(user) || user.IsInRole(AuthOptions.AdminRole))
            ? job
            : null;

    /// <summary>A waiting job's place in the queue; null for any other.</summary>
    internal static async Task<QueuePosition?> PositionAsync(IJobQueries store, TranscodeJob job, CancellationToken cancellationToken) =>
        job.Status == JobStatus.Queued ? await store.PositionAsync(job.JobId, cancellationToken) : null;

    internal static ProblemHttpResult ContentNotFound(string contentId) => Problems.Of(ErrorCatalog.ContentNotFound, $"No content {contentId}.");

    private static string UserId(ClaimsPrincipal user) =>
        user.FindFirstValue(AuthOptions.UserClaim) ?? throw new InvalidOperationException("An authenticated user has no 'sub' claim.");

    private static ProblemHttpResult UploadNotFound(string uploadId) => Problems.Of(ErrorCatalog.UploadNotFound, $"No upload {uploadId}.");
}

public sealed record UploadView(string UploadId, string FileName, long FileSize, int ChunkSize, int TotalChunks, IReadOnlyList<int> ReceivedChunks, DateTimeOffset ExpiresAt, string? ContentId, string? JobId)
{
    public bool AllReceived => ReceivedChunks.Count == TotalChunks;

    public static UploadView Of(UploadSession s, IReadOnlyList<int> received) =>
        new(s.UploadId, s.FileName, s.FileSize, s.ChunkSize, s.TotalChunks, received, s.ExpiresAt, s.ContentId, s.JobId);
}

public sealed record CompletedUpload(string ContentId, string JobId);
