using System.Net;
using System.Text.Json;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>One upload, one completion: completes at once, a refused file completed again, a completer that died, a failure that is not the file's.</summary>
[Collection(MediaCollection.Name)]
public sealed class UploadCompletionTests(Clips clips, ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<List<string>> KeysAsync(IObjectStorage storage, string prefix)
    {
        var keys = new List<string>();
        await foreach (var found in storage.ListAsync(prefix, None))
        {
            keys.Add(found.Key);
        }

        return keys;
    }

    private static string Code(string body) => JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()!;

    [Fact]
    public async Task Five_completes_of_one_upload_at_once_make_one_content_one_job_and_one_source_and_all_answer_alike()
    {
        var client = await api.ClientAsync("fiona");
        var uploadId = await Uploads.SendChunksAsync(client, clips["portrait"]);

        var answers = await Uploads.CompleteAtOnceAsync([client], uploadId, calls: 5);

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Accepted, $"{a.Status}: {a.Body}"));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        var data = JsonDocument.Parse(answers[0].Body).RootElement.GetProperty("data");
        var job = Assert.Single((await api.Store.ListAsync(new JobQuery { UserId = "fiona" }, None)).Jobs);
        Assert.Equal((job.ContentId, job.JobId), (data.GetProperty("contentId").GetString(), data.GetProperty("jobId").GetString()));
        Assert.Equal([job.SourceFile.Key], await KeysAsync(api.Storage, "sources/"));
        Assert.Equal([$"uploads/{uploadId}/upload.json"], await KeysAsync(api.Storage, $"uploads/{uploadId}/"));

        // And later: the same answer again.
        using var again = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
        Assert.Equal(answers[0].Body, await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refused_upload_completed_again_answers_the_same_refusal_without_looking_at_its_chunks_again()
    {
        var client = await api.ClientAsync("gus");
        var uploadId = await Uploads.SendChunksAsync(client, clips["truncated"]);
        using var refused = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
        var first = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("input_truncated", Code(first));

        // A chunk that changed behind the API's back: a completion that assembled and probed again would find
        // zeros, not a cut-off MP4, and answer another code.
        var chunk = Path.Combine(clips.Folder, $"{uploadId}-zeros");
        await File.WriteAllBytesAsync(chunk, new byte[new FileInfo(clips["truncated"]).Length]);
        await api.Storage.PutFileAsync($"uploads/{uploadId}/chunk-000000", chunk, None);

        var again = await Uploads.CompleteAtOnceAsync([client], uploadId, calls: 3);
        Assert.All(again, a => Assert.Equal(HttpStatusCode.UnprocessableEntity, a.Status));
        Assert.All(again, a => Assert.Equal(JsonDocument.Parse(first).RootElement.GetProperty("detail").GetString(), JsonDocument.Parse(a.Body).RootElement.GetProperty("detail").GetString()));
        Assert.All(again, a => Assert.Equal("input_truncated", Code(a.Body)));

        // The refused upload is kept for inspection, but nothing can be sent to it any more.
        using var put = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/0", new ByteArrayContent(await File.ReadAllBytesAsync(clips["truncated"])));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("upload_rejected", Code(await put.Content.ReadAsStringAsync()));
        Assert.Empty((await api.Store.ListAsync(new JobQuery { UserId = "gus" }, None)).Jobs);
    }

    [Fact]
    public async Task A_completion_left_by_a_completer_that_died_holds_chunks_and_callers_until_stale_then_is_taken_over()
    {
        using var quick = new ApiFactory(new Dictionary<string, string?> { ["Upload:CompletingStaleAfter"] = "00:00:01" });
        var client = await quick.ClientAsync("hana");
        var uploadId = await Uploads.SendChunksAsync(client, clips["tiny"]);
        await quick.Store.BeginCompletionAsync(uploadId, "an_instance_that_died", TimeSpan.FromSeconds(1), None);

        using var put = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/0", new ByteArrayContent(await File.ReadAllBytesAsync(clips["tiny"])));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("upload_completing", Code(await put.Content.ReadAsStringAsync()));

        using var completed = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
        Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
        var completion = (await quick.Store.GetCompletionAsync(uploadId, None))!;
        Assert.Equal(CompletionState.Completed, completion.State);
        Assert.NotEqual("an_instance_that_died", completion.Completer);
        Assert.Equal(completion.JobId, Assert.Single((await quick.Store.ListAsync(new JobQuery { UserId = "hana" }, None)).Jobs).JobId);
    }

    [Fact]
    public async Task A_completion_that_fails_through_no_fault_of_the_file_is_not_remembered_and_the_upload_stays_open()
    {
        using var broken = new ApiFactory(new Dictionary<string, string?> { ["Media:FfprobePath"] = "/nonexistent/ffprobe" });
        var client = await broken.ClientAsync("ivan");
        var uploadId = await Uploads.SendChunksAsync(client, clips["tiny"]);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var failed = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Null(await broken.Store.GetCompletionAsync(uploadId, None));
        }

        using var put = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/0", new ByteArrayContent(await File.ReadAllBytesAsync(clips["tiny"])));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(await KeysAsync(broken.Storage, "sources/"));
    }
}
