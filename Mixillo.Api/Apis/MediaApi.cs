using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Mixillo.Api.Http;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Media;
using Mixillo.Media.Packaging;

namespace Mixillo.Api.Apis;

/// <summary>
/// Published media, served by the API itself: range requests, the right content types, validators and cache
/// lifetimes. Only keys under videos/{contentId}/ of a content whose job completed (<see cref="PublishedContent"/>);
/// uploads, sources, staging and the files of a publish still under way (or cut short by a crash) are never served.
/// Open to anyone, as players fetch segments without credentials, from pages on any origin of
/// <c>Cors:MediaOrigins</c>. HEAD answers the same headers as GET without the body; a request carrying the
/// file's ETag (If-None-Match) or time (If-Modified-Since) gets 304. A job's HLS also plays while it encodes, under
/// <c>/media/live/</c> (<see cref="GetLive"/>).
/// </summary>
public static class MediaApi
{
    /// <summary>
    /// A published file never changes: a job publishes once, a completed job is never run again, and a
    /// re-run publish copies the same staged bytes. So caches keep it a year and never revalidate.
    /// </summary>
    private const string PublishedCacheControl = "public, max-age=31536000, immutable";

    /// <summary>
    /// Manifests are what would change first: a stream published again would be found through them. A few minutes,
    /// revalidated by ETag, costs a 304 per player now and then.
    /// </summary>
    private const string ManifestCacheControl = "public, max-age=300";

    /// <summary>
    /// A stream still being made: its playlists grow by a segment every few seconds, so a player must not be answered
    /// from a cache; each poll revalidates (a 304 while nothing changed). Its segments never change.
    /// </summary>
    private const string LiveManifestCacheControl = "no-cache";

    public static IEndpointRouteBuilder MapMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods(LiveStream.Route + "{contentId}/{lease:long}/{**path}", [HttpMethods.Get, HttpMethods.Head], GetLive)
            .WithTags("Media").WithName("GetLiveMedia").WithSummary("A file of the HLS a job publishes while it encodes (playlists and segments)")
            .AllowAnonymous()
            .ProducesProblems(ErrorCatalog.NotFound)
            .RequireCors(OriginOptions.MediaPolicy);
        app.MapMethods(Playback.MediaRoute + "{**key}", [HttpMethods.Get, HttpMethods.Head], GetMedia)
            .WithTags("Media").WithName("GetMedia").WithSummary("A published file (HLS, DASH, MP4, JPEG, MP3)")
            .AllowAnonymous()
            .ProducesProblems(ErrorCatalog.NotFound)
            .RequireCors(OriginOptions.MediaPolicy);
        return app;
    }

    public static async Task<IResult> GetMedia(IObjectStorage storage, PublishedContent published, HttpResponse response, string key, CancellationToken cancellationToken) =>
        StorageKeys.IsValid(key) && OutputKeys.PublishedContent(key) is { } contentId && await published.IsPublishedAsync(contentId, cancellationToken)
            ? await ServeAsync(storage, response, key, ContentTypes.IsManifest(key) ? ManifestCacheControl : PublishedCacheControl, cancellationToken)
            : NotFound();

    /// <summary>
    /// A live stream's file (<see cref="LiveStream"/>): only its hls/ folder, and only while its job carries that stream
    /// (<see cref="LiveStreams"/>). Players keep the same URLs when the job publishes: the files are then served from
    /// the published folder, where the same segments and the finished playlists are. A rendition's playlist stays an
    /// EVENT playlist at these URLs (an EVENT playlist never changes its type): the finished one is sent as an EVENT
    /// that has ended.
    /// </summary>
    public static async Task<IResult> GetLive(IObjectStorage storage, LiveStreams live, HttpResponse response, string contentId, long lease, string path, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(contentId) || !path.StartsWith(OutputLayout.HlsFolder + "/", StringComparison.Ordinal) || !StorageKeys.IsValid(path))
        {
            return NotFound();
        }

        foreach (var prefix in await live.PrefixesAsync(contentId, lease, cancellationToken))
        {
            if (await storage.StatAsync(prefix + path, cancellationToken) is not { } stored)
            {
                continue;
            }

            if (path.EndsWith("/" + OutputLayout.VariantPlaylist, StringComparison.Ordinal))
            {
                return await EventPlaylistAsync(storage, response, prefix + path, cancellationToken);
            }

            return await ServeAsync(storage, response, stored, ContentTypes.IsManifest(path) ? LiveManifestCacheControl : PublishedCacheControl, cancellationToken);
        }

        return NotFound();
    }

    private static async Task<IResult> EventPlaylistAsync(IObjectStorage storage, HttpResponse response, string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await storage.OpenReadAsync(key, cancellationToken);
            using var reader = new StreamReader(stream);
            var playlist = MediaPlaylist.Parse(await reader.ReadToEndAsync(cancellationToken));
            response.Headers.CacheControl = LiveManifestCacheControl;
            return TypedResults.Text(playlist.WriteEvent(playlist.HasEndList), ContentTypes.For(key));
        }
        catch (ObjectNotFoundException)
        {
            return NotFound();
        }
    }

    private static async Task<IResult> ServeAsync(IObjectStorage storage, HttpResponse response, string key, string cacheControl, CancellationToken cancellationToken) =>
        await storage.StatAsync(key, cancellationToken) is { } stored ? await ServeAsync(storage, response, stored, cacheControl, cancellationToken) : NotFound();

    private static async Task<IResult> ServeAsync(IObjectStorage storage, HttpResponse response, StoredObject stored, string cacheControl, CancellationToken cancellationToken)
    {
        var key = stored.Key;

        try
        {
            var stream = await storage.OpenReadAsync(key, cancellationToken);
            // Set before the result runs, so a 304 carries it too (a cache takes the lifetime from the 304).
            response.Headers.CacheControl = cacheControl;
            var tag = stored.ETag is { Length: > 0 } etag ? new EntityTagHeaderValue($"\"{etag}\"") : null;
            // Ranges need a seekable stream: files are; an S3 body is served whole.
            return TypedResults.Stream(stream, ContentTypes.For(key), lastModified: stored.LastModified, entityTag: tag, enableRangeProcessing: stream.CanSeek);
        }
        catch (ObjectNotFoundException)
        {
            // Deleted between the two calls.
            return NotFound();
        }
    }

    private static ProblemHttpResult NotFound() => Problems.Of(ErrorCatalog.NotFound, "No such media.");
}
