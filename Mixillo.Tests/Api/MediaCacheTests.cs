using System.Net;
using System.Net.Http.Headers;

namespace Mixillo.Tests.Api;

/// <summary>What players and caches are told about published files: how long to keep them, how to revalidate, never to sniff.</summary>
public sealed class MediaCacheTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Segment = "videos/content_cache/hls/720p/segment_000.m4s";
    private const string Immutable = "public, max-age=31536000, immutable";
    private const string Minutes = "public, max-age=300";

    private Task<HttpClient> WithMediaAsync(string key) => api.PublishAsync("content_cache", key);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("videos/content_cache/hls/720p/segment_000.m4s", Immutable)]
    [InlineData("videos/content_cache/hls/720p/init.mp4", Immutable)]
    [InlineData("videos/content_cache/720p.mp4", Immutable)]
    [InlineData("videos/content_cache/thumbnails/thumb_1.jpg", Immutable)]
    [InlineData("videos/content_cache/audio.mp3", Immutable)]
    [InlineData("videos/content_cache/hls/master.m3u8", Minutes)]
    [InlineData("videos/content_cache/hls/720p/index.m3u8", Minutes)]
    [InlineData("videos/content_cache/dash/manifest.mpd", Minutes)]
    public async Task Published_files_are_kept_a_year_and_manifests_minutes_with_validators_and_never_sniffed(string key, string cacheControl)
    {
        var client = await WithMediaAsync(key);
        var response = await client.GetAsync("/media/" + key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(cacheControl, Header(response, "Cache-Control"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task A_cache_revalidating_with_the_etag_or_the_time_gets_304_without_a_body()
    {
        var client = await WithMediaAsync(Segment);
        var first = await client.GetAsync("/media/" + Segment);

        var byTag = new HttpRequestMessage(HttpMethod.Get, "/media/" + Segment);
        byTag.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var notModified = await client.SendAsync(byTag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);
        // A 304 carries the freshness a 200 would have, or a cache would keep the old lifetime.
        Assert.Equal(Immutable, Header(notModified, "Cache-Control"));

        var byTime = new HttpRequestMessage(HttpMethod.Get, "/media/" + Segment);
        byTime.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(byTime)).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Get, "/media/" + Segment);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"another-version\""));
        var whole = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(1000, (await whole.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Head_answers_what_get_would_without_the_body()
    {
        var client = await WithMediaAsync(Segment);
        var get = await client.GetAsync("/media/" + Segment);
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/media/" + Segment));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        foreach (var name in new[] { "ETag", "Last-Modified", "Cache-Control", "X-Content-Type-Options", "Content-Type", "Accept-Ranges" })
        {
            Assert.Equal(Header(get, name), Header(head, name));
        }
    }

    [Fact]
    public async Task A_missing_file_is_not_cached_as_if_it_were_published()
    {
        // Of a content that is published, so the file's absence (not the content's state) is what answers.
        var client = await WithMediaAsync(Segment);
        var response = await client.GetAsync("/media/videos/content_cache/none.m4s");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.CacheControl);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }
}
