using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>The whole story through the API, with the worker in the process (the embedded default).</summary>
[Collection(MediaCollection.Name)]
public sealed class UploadStoryTests(Clips clips, EmbeddedApiFactory api) : IClassFixture<EmbeddedApiFactory>
{
    private static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<(string UploadId, int ChunkSize, int Total)> InitializeAsync(HttpClient client, string file, string mime = "video/mp4")
    {
        var data = (await Body(
            await client.PostAsJsonAsync("/api/content/upload/initialize", new { fileName = Path.GetFileName(file), fileSize = new FileInfo(file).Length, mimeType = mime, uploadType = "video" }),
            HttpStatusCode.Created)).GetProperty("data");
        return (data.GetProperty("uploadId").GetString()!, data.GetProperty("chunkSize").GetInt32(), data.GetProperty("totalChunks").GetInt32());
    }

    private static Task<HttpResponseMessage> PutChunk(HttpClient client, string uploadId, int index, byte[] bytes) =>
        client.PutAsync($"/api/content/upload/{uploadId}/chunks/{index}", new ByteArrayContent(bytes));

    private static byte[] Chunk(byte[] file, int index, int size) => file[(index * size)..Math.Min(file.Length, (index + 1) * size)];

    /// <summary>Initializes an upload of <paramref name="path"/> and sends every chunk; returns the uploadId.</summary>
    private static async Task<string> SendWholeAsync(HttpClient client, string path)
    {
        var file = await File.ReadAllBytesAsync(path);
        var (uploadId, chunkSize, total) = await InitializeAsync(client, path);
        for (var i = 0; i < total; i++)
        {
            await Body(await PutChunk(client, uploadId, i, Chunk(file, i, chunkSize)), HttpStatusCode.OK);
        }

        return uploadId;
    }

    [Fact]
    public async Task A_chunked_upload_with_a_resumed_chunk_becomes_ready_content_with_every_segment_fetchable()
    {
        var client = await api.ClientAsync("alice");
        var file = await File.ReadAllBytesAsync(clips["portrait"]);
        var (uploadId, chunkSize, total) = await InitializeAsync(client, clips["portrait"]);
        Assert.True(total > 3);

        // Everything but chunk 1; chunk 2 twice, as a client that lost the first answer would send it.
        for (var i = 0; i < total; i++)
        {
            if (i != 1)
            {
                await Body(await PutChunk(client, uploadId, i, Chunk(file, i, chunkSize)), HttpStatusCode.OK);
            }
        }

        await Body(await PutChunk(client, uploadId, 2, Chunk(file, 2, chunkSize)), HttpStatusCode.OK);
        var incomplete = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
        Assert.Equal("upload_incomplete", (await Body(incomplete, HttpStatusCode.Conflict)).GetProperty("code").GetString());

        // Resume: ask which chunks arrived, send the missing one.
        var status = (await Body(await client.GetAsync($"/api/content/upload/{uploadId}"), HttpStatusCode.OK)).GetProperty("data");
        var received = status.GetProperty("receivedChunks").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, total).Where(i => i != 1), received);
        await Body(await PutChunk(client, uploadId, 1, Chunk(file, 1, chunkSize)), HttpStatusCode.OK);

        var completed = (await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.Accepted)).GetProperty("data");
        var contentId = completed.GetProperty("contentId").GetString()!;
        var again = (await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.Accepted)).GetProperty("data");
        Assert.Equal(completed.GetProperty("jobId").GetString(), again.GetProperty("jobId").GetString());
        Assert.Equal("upload_completed", (await Body(await PutChunk(client, uploadId, 0, Chunk(file, 0, chunkSize)), HttpStatusCode.Conflict)).GetProperty("code").GetString());

        JsonElement content;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(250);
            content = (await Body(await client.GetAsync($"/api/content/{contentId}"), HttpStatusCode.OK)).GetProperty("data");
        }
        while (content.GetProperty("status").GetString() == "processing" && clock.Elapsed < TimeSpan.FromMinutes(2));

        Assert.Equal("ready", content.GetProperty("status").GetString());
        // complete's probe travels in the job: the worker read the source once and did not probe it again.
        var job = await api.Services.GetRequiredService<IJobQueries>().GetAsync(completed.GetProperty("jobId").GetString()!, CancellationToken.None);
        Assert.Equal((file.LongLength, file.LongLength), (job!.Probe!.SizeBytes, job.Usage.BytesRead));
        var playback = content.GetProperty("playback");
        Assert.Equal(["480p", "360p"], playback.GetProperty("renditions").EnumerateArray().Select(r => r.GetProperty("quality").GetString()));
        Assert.Equal(2, playback.GetProperty("thumbnails").GetArrayLength());

        // The master, every variant playlist it names, and every segment and init segment those name: all served.
        var anonymous = api.CreateClient();
        var master = playback.GetProperty("hls").GetString()!;
        var masterText = await anonymous.GetStringAsync(master);
        var fetched = 0;
        foreach (var variant in masterText.Split('\n').Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)).Select(l => l.Trim()).Concat(["audio/playlist.m3u8"]))
        {
            var variantUrl = master[..(master.LastIndexOf('/') + 1)] + variant;
            var response = await anonymous.GetAsync(variantUrl);
            Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            var names = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Concat(text.Split('\n').Where(l => l.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal)).Select(l => l.Split('"')[1]));
            foreach (var name in names)
            {
                var segment = await anonymous.GetAsync(variantUrl[..(variantUrl.LastIndexOf('/') + 1)] + name);
                Assert.True(segment.StatusCode == HttpStatusCode.OK, $"{name}: {segment.StatusCode}");
                Assert.True((await segment.Content.ReadAsByteArrayAsync()).Length > 0);
                fetched++;
            }
        }

        Assert.True(fetched >= 6, $"only {fetched} segments");
        var range = new HttpRequestMessage(HttpMethod.Get, playback.GetProperty("renditions")[0].GetProperty("url").GetString());
        range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        var partial = await anonymous.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("video/mp4", partial.Content.Headers.ContentType?.MediaType);

        // Someone else's content and upload do not exist for them.
        var bob = await api.ClientAsync("bob");
        Assert.Equal("content_not_found", (await Body(await bob.GetAsync($"/api/content/{contentId}"), HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.Equal("upload_not_found", (await Body(await bob.GetAsync($"/api/content/upload/{uploadId}"), HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_is_refused_at_completion_and_its_upload_kept()
    {
        var client = await api.ClientAsync("carol");
        var text = Path.Combine(clips.Folder, "not-a-video.mp4");
        await File.WriteAllTextAsync(text, "hello, this is text\n");
        var (uploadId, _, total) = await InitializeAsync(client, text);
        Assert.Equal(1, total);
        await Body(await PutChunk(client, uploadId, 0, await File.ReadAllBytesAsync(text)), HttpStatusCode.OK);

        var refused = await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("input_not_video", refused.GetProperty("code").GetString());
        Assert.False(refused.GetProperty("success").GetBoolean());
        var kept = (await Body(await client.GetAsync($"/api/content/upload/{uploadId}"), HttpStatusCode.OK)).GetProperty("data");
        Assert.True(kept.GetProperty("allReceived").GetBoolean());
    }

    [Fact]
    public async Task A_truncated_video_is_refused_at_completion_as_input_truncated_and_its_upload_kept()
    {
        var client = await api.ClientAsync("erin");
        var uploadId = await SendWholeAsync(client, clips["truncated"]);

        var refused = await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("input_truncated", refused.GetProperty("code").GetString());

        // Kept whole: every chunk still there, and completing again answers the same refusal.
        var kept = (await Body(await client.GetAsync($"/api/content/upload/{uploadId}"), HttpStatusCode.OK)).GetProperty("data");
        Assert.True(kept.GetProperty("allReceived").GetBoolean());
        var again = await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("input_truncated", again.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_completion_whose_job_would_be_refused_stores_no_source()
    {
        var client = await api.ClientAsync("gina");
        var uploadId = await SendWholeAsync(client, clips["tiny"]);

        // An upload saved before the caption had its limit: its job cannot be made, so nothing may be copied for it.
        var manifest = $"uploads/{uploadId}/upload.json";
        JsonObject session;
        await using (var stored = await api.Storage.OpenReadAsync(manifest, CancellationToken.None))
        {
            session = JsonNode.Parse(stored)!.AsObject();
        }

        session["caption"] = new string('c', 2201);
        var local = Path.Combine(clips.Folder, $"{uploadId}.json");
        await File.WriteAllTextAsync(local, session.ToJsonString());
        await api.Storage.PutFileAsync(manifest, local, CancellationToken.None);
        var sourcesBefore = await CountAsync("sources/");

        var refused = await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.BadRequest);
        Assert.Equal("upload_invalid", refused.GetProperty("code").GetString());
        Assert.Equal(sourcesBefore, await CountAsync("sources/"));
    }

    private async Task<int> CountAsync(string prefix)
    {
        var count = 0;
        await foreach (var _ in api.Storage.ListAsync(prefix, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task Uploads_refuse_wrong_sizes_types_and_chunks_with_their_codes()
    {
        var client = await api.ClientAsync("dave");
        async Task<string> InitCode(object body, HttpStatusCode status) =>
            (await Body(await client.PostAsJsonAsync("/api/content/upload/initialize", body), status)).GetProperty("code").GetString()!;

        Assert.Equal("upload_too_large", await InitCode(new { fileName = "a.mp4", fileSize = 3L * 1024 * 1024 * 1024, mimeType = "video/mp4" }, HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal("upload_not_video", await InitCode(new { fileName = "a.pdf", fileSize = 10, mimeType = "application/pdf" }, HttpStatusCode.UnsupportedMediaType));
        Assert.Equal("upload_not_video", await InitCode(new { fileName = "a.exe", fileSize = 10, mimeType = "video/mp4" }, HttpStatusCode.UnsupportedMediaType));
        Assert.Equal("upload_invalid", await InitCode(new { fileName = "", fileSize = 10, mimeType = "video/mp4" }, HttpStatusCode.BadRequest));

        var (uploadId, chunkSize, _) = await InitializeAsync(client, clips["tiny"]);
        Assert.Equal("chunk_size_mismatch", (await Body(await PutChunk(client, uploadId, 0, new byte[chunkSize - 1]), HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        Assert.Equal("chunk_size_mismatch", (await Body(await PutChunk(client, uploadId, 0, new byte[chunkSize + 1]), HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        Assert.Equal("upload_invalid", (await Body(await PutChunk(client, uploadId, 9999, new byte[1]), HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        Assert.Equal("upload_not_found", (await Body(await PutChunk(client, "up_0_nothing", 0, new byte[1]), HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/content/upload/initialize", new { fileName = "a.mp4", fileSize = 10, mimeType = "video/mp4" })).StatusCode);
    }

    [Fact]
    public async Task Media_outside_published_videos_is_never_served()
    {
        var anonymous = api.CreateClient();
        foreach (var path in new[] { "/media/uploads/x/upload.json", "/media/staging/j/attempt-1/720p.mp4", "/media/videos/../uploads/x", "/media/videos/none/720p.mp4" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
        }
    }
}
