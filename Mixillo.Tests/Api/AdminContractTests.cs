using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>
/// The admin API against the original design's documented responses (DESIGN.md, "Admin API responses"), one
/// test per example: field names, nesting and JSON types, on a job made the way users make them (a real clip
/// uploaded with a caption, by a user whose token names them).
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class AdminContractTests(Clips clips) : IAsyncLifetime
{
    private const string QueueStatusExample = """
        {"success": true, "data": {
          "queue": {"waiting": 5, "active": 2, "completed": 127, "failed": 3, "delayed": 0, "total": 137},
          "stats": {"totalJobs": 132,
                    "byStatus": [{"_id": "completed", "count": 127, "avgProcessingTime": 45234, "totalCost": 12.45},
                                 {"_id": "processing", "count": 2, "avgProcessingTime": null, "totalCost": 0}],
                    "timeRange": "24h"}}}
        """;

    private const string JobListExample = """
        {"success": true, "data": [{
           "_id": "...", "jobId": "job_1730304000000_abc123xyz",
           "contentId": {"_id": "...", "type": "video", "caption": "Amazing skateboarding trick!", "status": "processing"},
           "userId": {"_id": "...", "username": "skater_pro", "fullName": "Alex Johnson", "email": "alex@example.com"},
           "status": "processing", "priority": 5,
           "progress": {"overall": 65, "currentTask": "task_1_transcode", "currentStep": "transcode_480p",
                        "tasksTotal": 5, "tasksCompleted": 2, "tasksFailed": 0},
           "tasks": [{"taskId": "task_1_transcode", "type": "transcode", "status": "processing", "progress": 75,
                      "startedAt": "2025-10-30T14:30:00Z"}],
           "worker": {"workerId": "worker_server1_12345", "hostname": "server1.example.com",
                      "lastHeartbeat": "2025-10-30T14:32:15Z"},
           "createdAt": "2025-10-30T14:25:00Z"}],
         "meta": {"total": 1, "limit": 10, "skip": 0, "hasMore": false}}
        """;

    // The example's "byStatus": [...] stands for the queue status example's list.
    private const string StatsExample = """
        {"success": true, "data": {"totalJobs": 132,
          "byStatus": [{"_id": "completed", "count": 127, "avgProcessingTime": 45234, "totalCost": 12.45},
                       {"_id": "processing", "count": 2, "avgProcessingTime": null, "totalCost": 0}],
          "timeRange": "24h",
          "processingTime": {"avgTime": 45234, "minTime": 12456, "maxTime": 128900},
          "successRate": "97.69", "completedCount": 127, "failedCount": 3}}
        """;

    private const string RetryExample = """
        {"success": true, "message": "Job retry initiated",
         "data": {"_id": "...", "status": "pending", "retryCount": 1}}
        """;

    private const string StuckResetExample = """{"success": true, "data": {"resetCount": 1, "totalStuck": 1}}""";

    private const string CleanExample = """{"success": true, "data": {"deletedCount": 3, "daysOld": 30}}""";

    private static readonly UserInfo Skater = new("skater_pro", "Alex Johnson", "alex@example.com");

    // Stuck after a second, so the reset example has a real stuck job; heartbeats are sent by hand here.
    private readonly ApiFactory _api = new(new Dictionary<string, string?> { ["Queue:StuckAfter"] = "00:00:01", ["Queue:HeartbeatInterval"] = "00:00:00.500" });
    private HttpClient _admin = null!;

    public async Task InitializeAsync() => _admin = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Queue_status_answers_the_documented_queue_and_stats()
    {
        await FinishAsync(await UploadAsync("first"), complete: true, cost: new JobCost(0.01m, 0.002m, 0.003m));
        var running = await UploadAsync("second");
        await ClaimAsync(running);
        await UploadAsync("third");

        var body = await Body(await _admin.GetAsync("/api/transcode/queue/status"));
        JsonShape.AssertMatches(QueueStatusExample, body);
        var data = body.GetProperty("data");
        Assert.Equal((1, 1, 1, 3), (Int(data, "queue", "waiting"), Int(data, "queue", "active"), Int(data, "queue", "completed"), Int(data, "queue", "total")));
        var stats = data.GetProperty("stats");
        Assert.Equal(("24h", 3), (stats.GetProperty("timeRange").GetString(), stats.GetProperty("totalJobs").GetInt32()));
        var completed = ByStatus(stats, "completed");
        Assert.Equal(0.015m, completed.GetProperty("totalCost").GetDecimal());
        Assert.True(completed.GetProperty("avgProcessingTime").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Null, ByStatus(stats, "processing").GetProperty("avgProcessingTime").ValueKind);
    }

    [Fact]
    public async Task A_job_list_item_has_the_documented_content_user_progress_tasks_and_worker()
    {
        var jobId = await UploadAsync("Amazing skateboarding trick!");
        var lease = await ClaimAsync(jobId);
        await _api.Store.UpdateAsync(lease, (j, now) =>
        {
            j.CompleteTask(JobTaskType.Thumbnail, null, now);
            j.UpdateTask(JobTaskType.Transcode, 75, now);
            j.ReportProgress(new JobProgress { Overall = 52.5, CurrentTask = "transcode", CurrentStep = "encoding" }, now);
        }, CancellationToken.None);

        var body = await Body(await _admin.GetAsync("/api/transcode/jobs?status=processing&limit=10"));
        JsonShape.AssertMatches(JobListExample, body);
        var item = body.GetProperty("data").EnumerateArray().Single(j => j.GetProperty("jobId").GetString() == jobId);
        Assert.Equal(jobId, item.GetProperty("_id").GetString());
        var content = item.GetProperty("contentId");
        Assert.Equal(("video", "Amazing skateboarding trick!", "processing"), (content.GetProperty("type").GetString(), content.GetProperty("caption").GetString(), content.GetProperty("status").GetString()));
        Assert.StartsWith("content_", content.GetProperty("_id").GetString(), StringComparison.Ordinal);
        var user = item.GetProperty("userId");
        Assert.Equal(("skater", "skater_pro", "Alex Johnson", "alex@example.com"), (user.GetProperty("_id").GetString(), user.GetProperty("username").GetString(), user.GetProperty("fullName").GetString(), user.GetProperty("email").GetString()));
        var progress = item.GetProperty("progress");
        Assert.Equal((52.5, 5, 1, 0), (progress.GetProperty("overall").GetDouble(), Int(progress, "tasksTotal"), Int(progress, "tasksCompleted"), Int(progress, "tasksFailed")));
        Assert.Equal(("worker_contract", "contract-host"), (item.GetProperty("worker").GetProperty("workerId").GetString(), item.GetProperty("worker").GetProperty("hostname").GetString()));
        Assert.Equal(75, item.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == "transcode").GetProperty("progress").GetDouble());
    }

    [Fact]
    public async Task Stats_answer_the_documented_totals_times_and_success_rate()
    {
        await FinishAsync(await UploadAsync("ok 1"), complete: true);
        await FinishAsync(await UploadAsync("ok 2"), complete: true);
        await FinishAsync(await UploadAsync("broken"), complete: false);

        var body = await Body(await _admin.GetAsync("/api/transcode/stats?timeRange=24"));
        JsonShape.AssertMatches(StatsExample, body);
        var data = body.GetProperty("data");
        Assert.Equal(("66.67", 2, 1, 3), (data.GetProperty("successRate").GetString(), Int(data, "completedCount"), Int(data, "failedCount"), Int(data, "totalJobs")));
        var time = data.GetProperty("processingTime");
        Assert.True(time.GetProperty("minTime").GetInt64() <= time.GetProperty("avgTime").GetInt64());
        Assert.True(time.GetProperty("avgTime").GetInt64() <= time.GetProperty("maxTime").GetInt64());
        Assert.Equal("1.5h", (await Body(await _admin.GetAsync("/api/transcode/stats?timeRange=1.5"))).GetProperty("data").GetProperty("timeRange").GetString());
    }

    [Fact]
    public async Task Retry_answers_the_documented_message_id_status_and_retry_count()
    {
        var jobId = await UploadAsync("retry me");
        await FinishAsync(jobId, complete: false);

        var body = await Body(await _admin.PostAsync($"/api/transcode/jobs/{jobId}/retry", null));
        JsonShape.AssertMatches(RetryExample, body);
        Assert.Equal("Job retry initiated", body.GetProperty("message").GetString());
        var data = body.GetProperty("data");
        Assert.Equal((jobId, "queued", 1), (data.GetProperty("_id").GetString(), data.GetProperty("status").GetString(), Int(data, "retryCount")));
    }

    [Fact]
    public async Task Stuck_reset_answers_the_documented_counts()
    {
        var jobId = await UploadAsync("stuck");
        await ClaimAsync(jobId);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var body = await Body(await _admin.PostAsync("/api/transcode/jobs/stuck/reset", null));
        JsonShape.AssertMatches(StuckResetExample, body);
        Assert.Equal((1, 1), (Int(body.GetProperty("data"), "resetCount"), Int(body.GetProperty("data"), "totalStuck")));
        Assert.Equal([jobId], body.GetProperty("data").GetProperty("jobIds").EnumerateArray().Select(j => j.GetString()));
    }

    [Fact]
    public async Task Cleaning_answers_the_documented_count_and_age()
    {
        await FinishAsync(await UploadAsync("old"), complete: false);
        await UploadAsync("still waiting");

        var body = await Body(await _admin.DeleteAsync("/api/transcode/jobs/old?days=0&force=true"));
        JsonShape.AssertMatches(CleanExample, body);
        Assert.Equal((1, 0.0), (Int(body.GetProperty("data"), "deletedCount"), body.GetProperty("data").GetProperty("daysOld").GetDouble()));
        Assert.Equal(30, (await Body(await _admin.DeleteAsync("/api/transcode/jobs/old"))).GetProperty("data").GetProperty("daysOld").GetDouble());
    }

    /// <summary>Uploads the portrait clip with <paramref name="caption"/> as the user "skater"; returns its job.</summary>
    private async Task<string> UploadAsync(string caption)
    {
        var client = await _api.ClientAsync("skater", profile: Skater);
        var file = await File.ReadAllBytesAsync(clips["portrait"]);
        var upload = (await Body(
            await client.PostAsJsonAsync("/api/content/upload/initialize", new { fileName = "trick.mp4", fileSize = file.Length, mimeType = "video/mp4", uploadType = "video", caption }),
            HttpStatusCode.Created)).GetProperty("data");
        var (uploadId, chunkSize) = (upload.GetProperty("uploadId").GetString(), upload.GetProperty("chunkSize").GetInt32());
        for (var i = 0; i * chunkSize < file.Length; i++)
        {
            await Body(await client.PutAsync($"/api/content/upload/{uploadId}/chunks/{i}", new ByteArrayContent(file[(i * chunkSize)..Math.Min(file.Length, (i + 1) * chunkSize)])));
        }

        return (await Body(await client.PostAsync($"/api/content/upload/{uploadId}/complete", null), HttpStatusCode.Accepted)).GetProperty("data").GetProperty("jobId").GetString()!;
    }

    private async Task<JobLease> ClaimAsync(string jobId)
    {
        var claim = await _api.Store.ClaimAsync("worker_contract", "contract-host", CancellationToken.None);
        Assert.Equal(jobId, claim.Job?.JobId);
        return claim.Lease!;
    }

    private async Task FinishAsync(string jobId, bool complete, JobCost? cost = null)
    {
        var lease = await ClaimAsync(jobId);
        await _api.Store.UpdateAsync(lease, (j, now) =>
        {
            if (complete)
            {
                j.ActualCost = cost;
                j.Complete(now);
            }
            else
            {
                j.Fail(JobFactory.Error(retryable: false), now, 0);
            }
        }, CancellationToken.None);
    }

    private static JsonElement ByStatus(JsonElement stats, string status) =>
        stats.GetProperty("byStatus").EnumerateArray().Single(s => s.GetProperty("_id").GetString() == status);

    private static int Int(JsonElement element, params string[] path) =>
        path.Aggregate(element, (e, name) => e.GetProperty(name)).GetInt32();

    private static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
