using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Mixillo.Api.Auth;
using Mixillo.Api.Http;
using Mixillo.Api.Uploads;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Apis;

/// <summary>Uploads and content status, for any authenticated user; other users' uploads and content do not exist for them.</summary>
public static class ContentApi
{
    public static IEndpointRouteBuilder MapContentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content").WithTags("Content").RequireCors(OriginOptions.ApiPolicy).WithJsonBodyLimit();
        api.MapPost("/upload/initialize", Initialize).WithName("InitializeUpload").WithSummary("Start a chunked upload");
        api.MapPut("/upload/{uploadId}/chunks/{index:int}", PutChunk).WithName("PutChunk").WithSummary("Send one chunk (raw bytes); sending it again is harmless")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute());
        api.MapGet("/upload/{uploadId}", GetUpload).WithName("GetUpload").WithSummary("Which chunks arrived, to resume after a dropped connection");
        api.MapPost("/upload/{uploadId}/complete", Complete).WithName("CompleteUpload").WithSummary("Assemble, validate, and queue the transcode");
        api.MapGet("/{contentId}", GetContent).WithName("GetContent").WithSummary("Status, playback URLs, and the queue position while waiting");
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

    internal static ProblemHttpResult ContentNotFound(string contentId) => Problems.NotFound("content_not_found", $"No content {contentId}.");

    private static string UserId(ClaimsPrincipal user) =>
        user.FindFirstValue(AuthOptions.UserClaim) ?? throw new InvalidOperationException("An authenticated user has no 'sub' claim.");

    private static ProblemHttpResult UploadNotFound(string uploadId) => Problems.NotFound("upload_not_found", $"No upload {uploadId}.");
}

public sealed record UploadView(string UploadId, string FileName, long FileSize, int ChunkSize, int TotalChunks, IReadOnlyList<int> ReceivedChunks, DateTimeOffset ExpiresAt, string? ContentId, string? JobId)
{
    public bool AllReceived => ReceivedChunks.Count == TotalChunks;

    public static UploadView Of(UploadSession s, IReadOnlyList<int> received) =>
        new(s.UploadId, s.FileName, s.FileSize, s.ChunkSize, s.TotalChunks, received, s.ExpiresAt, s.ContentId, s.JobId);
}

public sealed record CompletedUpload(string ContentId, string JobId);
