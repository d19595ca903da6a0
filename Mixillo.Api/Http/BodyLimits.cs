using Microsoft.AspNetCore.Mvc;

namespace Mixillo.Api.Http;

/// <summary>
/// The largest request bodies. Every JSON body the API takes is a few hundred bytes (a caption, at most 2,200
/// characters, is the biggest field), so JSON routes take 16 KiB and answer more with 413 <c>payload_too_large</c>
/// before binding reads it; only a chunk PUT is large, and it streams its body to disk.
/// </summary>
public static class BodyLimits
{
    public const long JsonBytes = 16 * 1024;

    /// <summary>Caps the bodies of the routes of <paramref name="builder"/> at <see cref="JsonBytes"/>.</summary>
    public static TBuilder WithJsonBodyLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitAttribute(JsonBytes));
}
