using System.Net;
using System.Text.Json;
using Mixillo.Tests.Api;
using Mixillo.Tests.Support;
using Mixillo.Tests.Support.Otlp;

namespace Mixillo.Tests.AppHost;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection : ICollectionFixture<Clips>
{
    public const string Name = "apphost";
}

/// <summary>
/// The distributed app as a developer runs it with <c>dotnet run --project Mixillo.AppHost</c> on a machine without
/// a container runtime: every resource healthy, a clip uploaded through the api resource's endpoint becomes ready and
/// plays, telemetry of api and each worker replica reaches the OTLP endpoint the AppHost gave them, and a stop leaves
/// no process behind and no job failed.
/// </summary>
[Collection(AppHostCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AppHostTests(Clips clips) : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        // PostgreSQL runs as the postgres user, which must be able to enter the data root (a temp folder is 0700).
        File.SetUnixFileMode(_folder.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _folder.Dispose();
    }

    private static readonly Dictionary<string, string> QuickJobs = new()
    {
        ["Transcode__Qualities"] = "360p",
        ["Transcode__ThumbnailCount"] = "1",
        ["Transcode__Preset"] = "ultrafast",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    [Fact]
    public async Task The_app_runs_a_clip_to_ready_with_telemetry_from_every_service_and_stops_without_leaving_a_process()
    {
        var app = await DistributedApp.StartAsync(_folder.Path, _receiver.GrpcEndpoint, QuickJobs);
        try
        {
            var user = app.Client("olga");
            var upload = await Uploads.SendAsync(user, clips["portrait"]);
            var content = await BecomesAsync(user, $"/api/content/{upload.ContentId}", content => content.GetProperty("status").GetString() == "ready");
            var master = content.GetProperty("playback").GetProperty("hls").GetString()!;
            using var playlist = await user.GetAsync(master);
            Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
            Assert.StartsWith("#EXTM3U", await playlist.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // One trace per video across the services, each under its resource's name: complete and enqueue on the api,
            // the three stages and the encode on the workers.
            var spans = await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "job publish") ? r.Spans : null, DistributedApp.Patience);
            var enqueue = Assert.Single(spans, s => s.Name == "enqueue job" && Equals(s.Attributes.GetValueOrDefault("mixillo.job.id"), upload.JobId));
            var trace = spans.Where(s => s.TraceId == enqueue.TraceId).ToList();
            Assert.Contains(trace, s => s.ServiceName == "api" && s.Name == "POST /api/content/upload/{uploadId}/complete");
            Assert.Equal("api", enqueue.ServiceName);
            Assert.All(new[] { "job fetch", "job process", "job publish", "ffmpeg encode" }, name => Assert.Contains(trace, s => s.ServiceName == "worker" && s.Name == name));

            // Each worker replica under its own instance id (what the AppHost sets wins), with the job's ids on its lines.
            var logs = await _receiver.WaitForAsync(r => r.Logs.Where(l => l.ServiceName == "worker").Select(l => l.ServiceInstance).Distinct().Count() >= 2 ? r.Logs : null, DistributedApp.Patience);
            var workerInstances = logs.Where(l => l.ServiceName == "worker").Select(l => l.ServiceInstance).Distinct().ToList();
            Assert.Equal(2, workerInstances.Count);
            Assert.All(workerInstances, id => Assert.DoesNotMatch($"^{Environment.MachineName}-[0-9]+$", id));
            Assert.Contains(logs, l => l.ServiceName == "worker" && Equals(l.Attributes.GetValueOrDefault("jobId"), upload.JobId) && Equals(l.Attributes.GetValueOrDefault("contentId"), upload.ContentId));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        // Every resource, both replicas, DCP, and what they started (PostgreSQL's backends at least).
        var seen = string.Join(", ", app.Pids.Keys);
        Assert.True(new[] { "postgres", "redis", "api", "dcp-", "child-" }.All(name => app.Pids.Keys.Any(k => k.StartsWith(name, StringComparison.Ordinal))), seen);
        Assert.True(app.Pids.Keys.Count(k => k.StartsWith("worker", StringComparison.Ordinal)) == 2, seen);
        await NoneRemainsAsync(app.Pids.Values);
    }

    [Fact]
    public async Task A_job_running_when_the_app_stops_is_released_not_failed_and_completes_after_a_restart()
    {
        // The default ladder at preset medium: the encode is still running when the stop comes.
        var slow = new Dictionary<string, string> { ["Transcode__ThumbnailCount"] = "1" };
        var app = await DistributedApp.StartAsync(_folder.Path, _receiver.GrpcEndpoint, slow);
        Uploads.Completed upload;
        try
        {
            upload = await Uploads.SendAsync(app.Client("olga"), clips["landscape"]);
            var admin = app.Client("root", "admin");
            await BecomesAsync(admin, $"/api/transcode/jobs/{upload.JobId}", job => job.GetProperty("stage").GetString() == "process" && job.GetProperty("status").GetString() == "processing");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await NoneRemainsAsync(app.Pids.Values);
        Assert.Contains(_receiver.Logs, l => l.ServiceName == "worker" && l.Body == "Released to the queue at shutdown" && Equals(l.Attributes.GetValueOrDefault("jobId"), upload.JobId));

        var again = await DistributedApp.StartAsync(_folder.Path, _receiver.GrpcEndpoint, slow);
        try
        {
            var job = await BecomesAsync(again.Client("root", "admin"), $"/api/transcode/jobs/{upload.JobId}", job => job.GetProperty("status").GetString() is "completed" or "failed");
            Assert.Equal("completed", job.GetProperty("status").GetString());
            // Released at the stop, not failed and not counted as a retry (a killed worker's job would show worker_lost after StuckAfter).
            Assert.Equal(0, job.GetProperty("retryCount").GetInt32());
            Assert.Empty(job.GetProperty("errors").EnumerateArray());
        }
        finally
        {
            await again.StopAsync();
            await again.DisposeAsync();
        }
    }

    /// <summary>Polls <paramref name="path"/> until its <c>data</c> satisfies <paramref name="condition"/>, and returns it.</summary>
    private static async Task<JsonElement> BecomesAsync(HttpClient client, string path, Func<JsonElement, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < DistributedApp.Patience)
        {
            last = await client.GetStringAsync(path);
            var data = JsonDocument.Parse(last).RootElement.GetProperty("data");
            if (condition(data))
            {
                return data;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{path} did not reach the expected state: {last}");
        return default;
    }

    private static async Task NoneRemainsAsync(IEnumerable<int> pids)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<int> alive;
        do
        {
            alive = [.. pids.Where(Tool.IsRunning)];
            await Task.Delay(200);
        }
        while (alive.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Empty(alive);
    }
}
