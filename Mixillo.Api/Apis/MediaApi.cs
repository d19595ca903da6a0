using Mixillo.Jobs.Storage;

namespace Mixillo.Api.Apis;

/// <summary>
/// Published media, served by the API itself: range requests, the right content types. Only keys under
/// videos/ (what publishing makes visible); uploads, sources and staging are never served. Open to anyone,
/// as players fetch segments without credentials, from pages on any origin of <c>Cors:MediaOrigins</c>. HEAD answers
/// the same headers as GET without the body.
/// </summary>
public static class MediaApi
{
    public static IEndpointRouteBuilder MapMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods(ContentView.MediaRoute + "{**key}", [HttpMethods.Get, HttpMethods.Head], GetMedia)
            .WithTags("Media").WithName("GetMedia").WithSummary("A published file (HLS, DASH, MP4, JPEG, MP3)")
            .AllowAnonymous()
            .RequireCors(Http.OriginOptions.MediaPolicy);
        return app;
    }

    public static async Task<IResult> GetMedia(IObjectStorage storage, string key, CancellationToken cancellationToken)
    {
        if (!key.StartsWith("videos/", StringComparison.Ordinal) || !StorageKeys.IsValid(key))
        {
            return Http.Problems.NotFound(Http.ErrorCodes.NotFound, "No such media.");
        }

        try
        {
            var stream = await storage.OpenReadAsync(key, cancellationToken);
            // Ranges need a seekable stream: files are; an S3 body is served whole.
            return TypedResults.Stream(stream, ContentTypes.For(key), enableRangeProcessing: stream.CanSeek);
        }
        catch (ObjectNotFoundException)
        {
            return Http.Problems.NotFound(Http.ErrorCodes.NotFound, "No such media.");
        }
    }
}
