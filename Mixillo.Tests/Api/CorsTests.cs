using System.Net;
namespace Mixillo.Tests.Api;

/// <summary>Web players and upload pages on other origins: CORS on media and the API, HEAD and preflights answered.</summary>
public sealed class CorsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Player = "https://player.example.com";
    private const string ContentId = "content_cors";
    private const string Key = $"videos/{ContentId}/hls/720p/segment_000.m4s";

    private static Task<HttpClient> WithMediaAsync(ApiFactory factory) => factory.PublishAsync(ContentId, Key);

    private static HttpRequestMessage Request(HttpMethod method, string path, string origin, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_ranged_media_get_from_any_origin_is_allowed_with_its_range_headers_readable()
    {
        var client = await WithMediaAsync(api);
        var response = await client.SendAsync(Request(HttpMethod.Get, "/media/" + Key, Player, ("Range", "bytes=0-99")));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        var exposed = Header(response, "Access-Control-Expose-Headers")!.Split(',').Select(h => h.Trim().ToLowerInvariant());
        Assert.Superset(new HashSet<string> { "content-length", "content-range", "accept-ranges" }, exposed.ToHashSet());
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Head_on_media_answers_the_size_without_a_body_and_a_missing_file_is_404()
    {
        var client = await WithMediaAsync(api);
        var head = await client.SendAsync(Request(HttpMethod.Head, "/media/" + Key, Player));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal("*", Header(head, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Request(HttpMethod.Head, "/media/videos/none/x.m4s", Player))).StatusCode);
    }

    [Fact]
    public async Task A_media_preflight_is_answered_without_a_token()
    {
        var client = await api.ClientAsync();
        var response = await client.SendAsync(Request(HttpMethod.Options, "/media/" + Key, Player, ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "range")));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("GET", Header(response, "Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        Assert.Contains("range", Header(response, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_upload_page_on_another_origin_may_call_the_api_with_a_bearer_token_but_never_with_cookies()
    {
        var client = await api.ClientAsync();
        var preflight = await client.SendAsync(Request(
            HttpMethod.Options, "/api/content/upload/initialize", Player, ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")));

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("authorization", Header(preflight, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
        Assert.Null(Header(preflight, "Access-Control-Allow-Credentials"));

        // The answer itself, a 401 here, is readable by the page too (its problem code says what went wrong).
        var refused = await client.SendAsync(Request(HttpMethod.Get, "/api/content/content_x", Player));
        Assert.Equal((HttpStatusCode.Unauthorized, "*"), (refused.StatusCode, Header(refused, "Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Configured_origins_are_the_only_ones_allowed()
    {
        using var restricted = new ApiFactory(new Dictionary<string, string?> { ["Cors:MediaOrigins"] = $"{Player}, https://other.example.com", ["Cors:ApiOrigins"] = Player });
        var client = await WithMediaAsync(restricted);

        var allowed = await client.SendAsync(Request(HttpMethod.Get, "/media/" + Key, "https://other.example.com"));
        Assert.Equal("https://other.example.com", Header(allowed, "Access-Control-Allow-Origin"));
        var foreign = await client.SendAsync(Request(HttpMethod.Get, "/media/" + Key, "https://evil.example.net"));
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.Null(Header(foreign, "Access-Control-Allow-Origin"));
        var api = await client.SendAsync(Request(HttpMethod.Options, "/api/content/upload/initialize", "https://other.example.com", ("Access-Control-Request-Method", "POST")));
        Assert.Null(Header(api, "Access-Control-Allow-Origin"));
    }
}
