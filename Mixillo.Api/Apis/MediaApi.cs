using Microsoft.Net.Http.Headers;
using Mixillo.Api.Http;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;

namespace Mixillo.Api.Apis;

/// <summary>
/// Published media, served by the API itself: range requests, the right content types, validators and cache
/// lifetimes. Only keys under videos/{contentId}/ of a content whose job completed (<see cref="PublishedContent"/>);
/// uploads, sources, staging and the files of a publish still under way (or cut short by a crash) are never served.
/// Open to anyone, as players fetch segments without credentials, from pages on any origin of
/// <c>Cors:MediaOrigins</c>. HEAD answers the same headers as GET without the body; a request carrying the
/// file's ETag (If-None-Match) or time (If-Modified-Since) gets 304.
/// </summary>
public static class MediaApi
{
    /// <summary>
    /// A published file never changes: a job publishes once, a completed job is never run again, and a
    /// re-run publish copies the same staged bytes. So caches keep it a year and never revalidate.
    /// </summary>
    private const string PublishedCacheControl = "public, max-age=31536000, immutable";

    /// <summary>
    /// Manifests are what would change first: growing (EVENT) playlists of a stream still being made need a
    /// lifetime under a segment's length, and a stream published again would be found through them. A few minutes,
    /// revalidated by ETag, costs a 304 per player now and then.
    /// </summary>
    private const string ManifestCacheControl = "public, max-age=300";

    public static IEndpointRouteBuilder MapMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Playback.MediaRoute + "{**key}", [HttpMethods.Get, HttpMethods.Head], GetMedia)
            .WithTags("Media").WithName("GetMedia").WithSummary("A published file (HLS, DASH, MP4, JPEG, MP3)")
            .AllowAnonymous()
            .ProducesProblems(ErrorCatalog.NotFound)
            .RequireCors(OriginOptions.MediaPolicy);
        return app;
    }

    public static async Task<IResult> GetMedia(IObjectStorage storage, PublishedContent published, HttpResponse response, string key, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsValid(key) || OutputKeys.PublishedContent(key) is not { } contentId
            || !await published.IsPublishedAsync(contentId, cancellationToken)
            || await storage.StatAsync(key, cancellationToken) is not { } stored)
        {
            return Problems.Of(ErrorCatalog.NotFound, "No such media.");
        }

        try
        {
            var stream = await storage.OpenReadAsync(key, cancellationToken);
            // Set before the result runs, so a 304 carries it too (a cache takes the lifetime from the 304).
            response.Headers.CacheControl = ContentTypes.IsManifest(key) ? ManifestCacheControl : PublishedCacheControl;
            var tag = stored.ETag is { Length: > 0 } etag ? new EntityTagHeaderValue($"\"{etag}\"") : null;
            // Ranges need a seekable stream: files are; an S3 body is served whole.
            return TypedResults.Stream(stream, ContentTypes.For(key), lastModified: stored.LastModified, entityTag: tag, enableRangeProcessing: stream.CanSeek);
        }
        catch (ObjectNotFoundException)
        {
            // Deleted between the two calls.
            return Problems.Of(ErrorCatalog.NotFound, "No such media.");
        }
    }
}
