using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Model;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Api;

public sealed class TranscodeApiTests : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly ApiFactory _api;
    private HttpClient _admin = null!;

    public TranscodeApiTests(ApiFactory api) => _api = api;

    public async Task InitializeAsync() => _admin = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<string> Code(HttpResponseMessage response, HttpStatusCode status) =>
        (await Body(response, status)).GetProperty("code").GetString()!;

    private async Task<string> EnqueueAsync(string user = "alice", int priority = 5, JobOptions? options = null)
    {
        var key = $"uploads/{user}/{Guid.NewGuid():N}.mp4";
        var local = Path.GetTempFileName();
        await File.WriteAllBytesAsync(local, new byte[64]);
        await _api.Storage.PutFileAsync(key, local, CancellationToken.None);
        File.Delete(local);
        var body = await Body(
            await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "content_" + Guid.NewGuid().ToString("N")[..8], userId = user, sourceKey = key, priority, options }),
            HttpStatusCode.Created);
        Assert.True(body.GetProperty("success").GetBoolean());
        return body.GetProperty("data").GetProperty("jobId").GetString()!;
    }

    [Fact]
    public async Task An_enqueued_job_reads_back_in_the_envelope_with_the_products_words()
    {
        var jobId = await EnqueueAsync(options: new JobOptions { Dash = true });

        var body = await Body(await _admin.GetAsync($"/api/transcode/jobs/{jobId}"), HttpStatusCode.OK);
        var job = body.GetProperty("data");
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("queued", job.GetProperty("status").GetString());
        Assert.Equal("fetch", job.GetProperty("stage").GetString());
        Assert.Contains("audio_extract", job.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("type").GetString()));
        Assert.Equal(3, job.GetProperty("maxRetries").GetInt32());
    }

    [Fact]
    public async Task Enqueueing_refuses_a_missing_source_an_unsafe_key_and_options_the_engine_cannot_run()
    {
        Assert.Equal("source_missing", await Code(await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "c1", userId = "u", sourceKey = "uploads/none.mp4" }), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_storage_key", await Code(await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "c1", userId = "u", sourceKey = "../etc/passwd" }), HttpStatusCode.BadRequest));
        var key = "uploads/real.mp4";
        var local = Path.GetTempFileName();
        await _api.Storage.PutFileAsync(key, local, CancellationToken.None);
        File.Delete(local);
        Assert.Equal("invalid_job", await Code(await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "c1", userId = "u", sourceKey = key, options = new { qualities = new[] { "8k" } } }), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_job", await Code(await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "c1", userId = "u", sourceKey = key, priority = 11 }), HttpStatusCode.BadRequest));
        Assert.Equal("bad_request", await Code(await _admin.PostAsync("/api/transcode/jobs", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Lists_filter_by_user_and_status_and_page_with_meta()
    {
        var user = "pager_" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 5; i++)
        {
            await EnqueueAsync(user);
        }

        var body = await Body(await _admin.GetAsync($"/api/transcode/jobs?userId={user}&limit=2&skip=1&sortBy=createdAt&sortOrder=asc"), HttpStatusCode.OK);
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        var first = body.GetProperty("data")[0];
        Assert.Equal(user, first.GetProperty("userId").GetProperty("_id").GetString());
        Assert.StartsWith("content_", first.GetProperty("contentId").GetProperty("_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("processing", first.GetProperty("contentId").GetProperty("status").GetString());
        Assert.EndsWith(".mp4", first.GetProperty("contentId").GetProperty("fileName").GetString(), StringComparison.Ordinal);
        var meta = body.GetProperty("meta");
        Assert.Equal((5, 2, 1, true), (meta.GetProperty("total").GetInt32(), meta.GetProperty("limit").GetInt32(), meta.GetProperty("skip").GetInt32(), meta.GetProperty("hasMore").GetBoolean()));
        var last = await Body(await _admin.GetAsync($"/api/transcode/jobs?userId={user}&limit=2&skip=4&status=queued"), HttpStatusCode.OK);
        Assert.False(last.GetProperty("meta").GetProperty("hasMore").GetBoolean());
        Assert.Equal("bad_request", await Code(await _admin.GetAsync("/api/transcode/jobs?status=paused"), HttpStatusCode.BadRequest));
        Assert.Equal("bad_request", await Code(await _admin.GetAsync("/api/transcode/jobs?limit=1000"), HttpStatusCode.BadRequest));
        Assert.Equal("bad_request", await Code(await _admin.GetAsync("/api/transcode/jobs?sortBy=password"), HttpStatusCode.BadRequest));
        Assert.Equal("bad_request", await Code(await _admin.GetAsync("/api/transcode/jobs?sortBy=7"), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_cursor_walks_every_job_once_and_a_foreign_or_mismatched_cursor_is_refused()
    {
        var user = "walker_" + Guid.NewGuid().ToString("N")[..6];
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await EnqueueAsync(user));
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var body = await Body(await _admin.GetAsync($"/api/transcode/jobs?userId={user}&limit=2&sortOrder=asc" + (cursor is null ? "" : "&cursor=" + cursor)), HttpStatusCode.OK);
            seen.AddRange(body.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()!));
            var meta = body.GetProperty("meta");
            cursor = meta.TryGetProperty("nextCursor", out var token) ? token.GetString() : null;
            Assert.Equal(cursor is not null, meta.GetProperty("hasMore").GetBoolean());
            Assert.Equal(seen.Count == 2 ? 5 : (int?)null, meta.TryGetProperty("total", out var total) ? total.GetInt32() : null);
        }
        while (cursor is not null);

        var whole = await Body(await _admin.GetAsync($"/api/transcode/jobs?userId={user}&limit=100&sortOrder=asc"), HttpStatusCode.OK);
        Assert.Equal(whole.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()!), seen);
        Assert.Equal(created.Order(), seen.Order());
        Assert.False(whole.GetProperty("meta").TryGetProperty("nextCursor", out _));
        var page = await Body(await _admin.GetAsync($"/api/transcode/jobs?userId={user}&limit=2&sortOrder=asc"), HttpStatusCode.OK);
        var next = page.GetProperty("meta").GetProperty("nextCursor").GetString();
        Assert.Equal("invalid_cursor", await Code(await _admin.GetAsync($"/api/transcode/jobs?cursor={next}&sortOrder=desc"), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_cursor", await Code(await _admin.GetAsync($"/api/transcode/jobs?cursor={next}&sortBy=priority"), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_cursor", await Code(await _admin.GetAsync($"/api/transcode/jobs?cursor={next}&skip=2"), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_cursor", await Code(await _admin.GetAsync("/api/transcode/jobs?cursor=bm90LWEtY3Vyc29y"), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Cancel_retry_and_task_retry_follow_the_state_machine_with_409s()
    {
        var jobId = await EnqueueAsync();
        Assert.Equal("illegal_transition", await Code(await _admin.PostAsync($"/api/transcode/jobs/{jobId}/retry", null), HttpStatusCode.Conflict));
        Assert.Equal("task_not_failed", await Code(await _admin.PostAsync($"/api/transcode/jobs/{jobId}/tasks/hls/retry", null), HttpStatusCode.Conflict));

        var cancelled = await Body(await _admin.PostAsync($"/api/transcode/jobs/{jobId}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("illegal_transition", await Code(await _admin.PostAsync($"/api/transcode/jobs/{jobId}/cancel", null), HttpStatusCode.Conflict));

        // A failed job: its failed task is retried, the job re-queued at priority 7.
        var failing = await EnqueueAsync(priority: 2);
        var claim = await _api.Store.ClaimAsync("w", "h", CancellationToken.None);
        Assert.Equal(failing, claim.Job!.JobId);
        await _api.Store.UpdateAsync(claim.Lease!, (j, now) =>
        {
            j.FailTask(JobTaskType.Hls, "muxer broke", now);
            j.Fail(JobFactory.Error(retryable: false), now, 0);
        }, CancellationToken.None);
        Assert.Equal("task_not_failed", await Code(await _admin.PostAsync($"/api/transcode/jobs/{failing}/tasks/transcode/retry", null), HttpStatusCode.Conflict));
        var retried = (await Body(await _admin.PostAsync($"/api/transcode/jobs/{failing}/tasks/hls/retry", null), HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(("queued", 7, 1), (retried.GetProperty("status").GetString(), retried.GetProperty("priority").GetInt32(), retried.GetProperty("retryCount").GetInt32()));
    }

    [Fact]
    public async Task Ids_are_validated_and_unknown_jobs_and_tasks_are_404()
    {
        Assert.Equal("invalid_id", await Code(await _admin.GetAsync("/api/transcode/jobs/job%20x"), HttpStatusCode.BadRequest));
        Assert.Equal("invalid_id", await Code(await _admin.PostAsync("/api/transcode/jobs/..%2F..%2Fetc/cancel", null), HttpStatusCode.BadRequest));
        Assert.Equal("job_not_found", await Code(await _admin.GetAsync("/api/transcode/jobs/job_0_missing"), HttpStatusCode.NotFound));
        Assert.Equal("job_not_found", await Code(await _admin.PostAsync("/api/transcode/jobs/job_0_missing/retry", null), HttpStatusCode.NotFound));
        Assert.Equal("not_found", await Code(await _admin.PostAsync("/api/transcode/jobs/job_0_missing/tasks/upscale/retry", null), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Queue_status_stats_stuck_reset_and_cleaning_answer_in_the_envelope()
    {
        await EnqueueAsync();
        var status = (await Body(await _admin.GetAsync("/api/transcode/queue/status"), HttpStatusCode.OK)).GetProperty("data");
        Assert.True(status.GetProperty("queue").GetProperty("waiting").GetInt32() >= 1);
        Assert.True(status.GetProperty("queue").GetProperty("total").GetInt32() >= status.GetProperty("queue").GetProperty("waiting").GetInt32());

        var stats = (await Body(await _admin.GetAsync("/api/transcode/stats?timeRange=1"), HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("1h", stats.GetProperty("timeRange").GetString());
        Assert.Equal("bad_request", await Code(await _admin.GetAsync("/api/transcode/stats?timeRange=-1"), HttpStatusCode.BadRequest));

        Assert.Equal(JsonValueKind.Array, (await Body(await _admin.GetAsync("/api/transcode/jobs/stuck"), HttpStatusCode.OK)).GetProperty("data").ValueKind);
        Assert.Equal(0, (await Body(await _admin.PostAsync("/api/transcode/jobs/stuck/reset", null), HttpStatusCode.OK)).GetProperty("data").GetProperty("resetCount").GetInt32());
        Assert.Equal(30, (await Body(await _admin.DeleteAsync("/api/transcode/jobs/old"), HttpStatusCode.OK)).GetProperty("data").GetProperty("daysOld").GetDouble());
        Assert.Equal("bad_request", await Code(await _admin.DeleteAsync("/api/transcode/jobs/old?days=-2"), HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("/api/transcode/stats?timeRange=NaN")]
    [InlineData("/api/transcode/stats?timeRange=Infinity")]
    [InlineData("/api/transcode/stats?timeRange=1e308")]
    [InlineData("/api/transcode/stats?timeRange=0")]
    [InlineData("/api/transcode/jobs/old?days=NaN")]
    [InlineData("/api/transcode/jobs/old?days=Infinity")]
    [InlineData("/api/transcode/jobs/old?days=1e6")]
    [InlineData("/api/transcode/jobs/old?days=-Infinity")]
    [InlineData("/api/transcode/jobs?userId=a%00b")]
    [InlineData("/api/transcode/jobs?userId=%20")]
    public async Task Numbers_outside_their_range_and_unusable_user_ids_in_queries_are_400(string path)
    {
        var method = path.StartsWith("/api/transcode/jobs/old", StringComparison.Ordinal) ? HttpMethod.Delete : HttpMethod.Get;
        Assert.Equal("bad_request", await Code(await _admin.SendAsync(new HttpRequestMessage(method, path)), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Enqueueing_refuses_over_long_users_captions_and_names_and_content_that_is_not_video()
    {
        var key = "uploads/bounded.mp4";
        var local = Path.GetTempFileName();
        await _api.Storage.PutFileAsync(key, local, CancellationToken.None);
        File.Delete(local);
        async Task<string> CodeOf(object body) => await Code(await _admin.PostAsJsonAsync("/api/transcode/jobs", body), HttpStatusCode.BadRequest);

        Assert.Equal("invalid_job", await CodeOf(new { contentId = "c1", userId = new string('u', 129), sourceKey = key }));
        Assert.Equal("invalid_job", await CodeOf(new { contentId = "c1", userId = "a\u0000b", sourceKey = key }));
        Assert.Equal("invalid_job", await CodeOf(new { contentId = "c1", userId = "u", sourceKey = key, content = new { type = "audio" } }));
        Assert.Equal("invalid_job", await CodeOf(new { contentId = "c1", userId = "u", sourceKey = key, content = new { type = "video", caption = new string('c', 2201) } }));
        Assert.Equal("invalid_job", await CodeOf(new { contentId = "c1", userId = "u", sourceKey = key, user = new { fullName = new string('n', 257) } }));
        Assert.Equal("bad_request", await CodeOf(new { contentId = "c1", userId = "u", sourceKey = key, priority = "5" }));
    }
}
