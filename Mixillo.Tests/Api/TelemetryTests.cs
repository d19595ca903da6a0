using System.Net;
using System.Net.Http.Json;
using Mixillo.Jobs.Model;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Support;
using Mixillo.Tests.Support.Otlp;
using Mixillo.Tests.Worker;

namespace Mixillo.Tests.Api;

/// <summary>
/// The distributed configuration exporting to an OTLP/HTTP receiver in this process: one trace per video across the
/// API and a worker process, the metrics operators alert on, and structured logs.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(DistributedFixture servers, Clips clips) : IAsyncLifetime
{
    private const string ApiService = "mixillo-api";
    private const string WorkerService = "mixillo-worker";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await OtlpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Dictionary<string, string?> Otlp(string service) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = service,
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    [Fact]
    public async Task A_video_is_one_trace_from_upload_to_publish_and_the_alerting_metrics_arrive()
    {
        await using var deployment = new Deployment(await servers.DeploymentSettingsAsync(Uploads.QuickJobs()));
        await deployment.InitializeAsync();
        using var api = new ApiFactory(deployment.Settings.Concat(Otlp(ApiService)).ToDictionary());
        var user = await api.ClientAsync("olga");
        var admin = await api.ClientAsync("root", "admin");

        var upload = await Uploads.SendAsync(user, clips["portrait"]);
        // A worker that died holding the job: the worker process recovers it (mixillo.jobs.recovered) before running it.
        var ghost = await deployment.Store.ClaimAsync("ghost", "gone", CancellationToken.None);
        Assert.Equal(upload.JobId, ghost.Job?.JobId);
        // A source that is not a video fails at fetch (mixillo.job.failures, a failed job).
        var notVideo = Path.GetTempFileName();
        await File.WriteAllTextAsync(notVideo, "not a video");
        await deployment.Storage.PutFileAsync("uploads/olga/notes.mp4", notVideo, CancellationToken.None);
        File.Delete(notVideo);
        var enqueued = await admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "content_notes", userId = "olga", sourceKey = "uploads/olga/notes.mp4" });
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health")).StatusCode);

        using var worker = deployment.StartWorkerProcess(new(Otlp(WorkerService))
        {
            ["Queue:HeartbeatInterval"] = "00:00:00.5",
            ["Queue:StuckAfter"] = "00:00:02",
        });
        try
        {
            var done = await deployment.WaitForAsync(upload.JobId, j => j.Status == JobStatus.Completed, Patience);
            Assert.Equal("worker_lost", Assert.Single(done.Errors).Code);
            await deployment.WaitForAsync((await deployment.Store.ListAsync(new() { ContentId = "content_notes" }, CancellationToken.None)).Jobs.Single().JobId, j => j.Status == JobStatus.Failed, Patience);

            var spans = await _receiver.WaitForAsync(r => StagesOf(r.Spans, upload.JobId).Count == 3 && r.Spans.Any(s => s.Name == "ffmpeg encode") ? r.Spans : null, Patience);
            AssertOneTrace(spans, upload.JobId);
            Assert.DoesNotContain(spans, s => s.Name.Contains("health", StringComparison.OrdinalIgnoreCase) || Equals(s.Attributes.GetValueOrDefault("url.path"), "/health"));

            // Both jobs are final in the store a moment before the worker's next export says so.
            var metrics = await _receiver.WaitForAsync(
                r => Expected.All(e => Latest(r.Metrics, e.Name, e.Service) is not null) && Latest(r.Metrics, "mixillo.jobs.finished")!.Points.Count == 2 ? r.Metrics : null, Patience);
            AssertMetrics(metrics);
            AssertLogs(_receiver.Logs, upload.JobId, spans);
            Assert.Empty(_receiver.Errors);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Without_a_protocol_export_is_grpc_as_the_aspire_dashboard_expects()
    {
        using var api = new ApiFactory(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.GrpcEndpoint.ToString(),
            ["OTEL_SERVICE_NAME"] = ApiService,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var admin = await api.ClientAsync("root", "admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/transcode/queue/status")).StatusCode);

        var span = await _receiver.WaitForAsync(r => r.Spans.FirstOrDefault(s => Equals(s.Attributes.GetValueOrDefault("http.route"), "/api/transcode/queue/status")), Patience);
        Assert.Equal(("GET /api/transcode/queue/status", ApiService, 2), (span.Name, span.ServiceName, span.Kind));
        Assert.Empty(_receiver.Errors);
    }

    private static readonly (string Name, string Service)[] Expected =
    [
        .. new[]
        {
            "mixillo.queue.wait", "mixillo.stage.duration", "mixillo.job.duration", "mixillo.jobs.finished", "mixillo.job.failures", "mixillo.jobs.recovered",
            "mixillo.storage.bytes", "mixillo.worker.busy", "mixillo.worker.slots", "mixillo.worker.heartbeat.age", "mixillo.ffmpeg.speed", "mixillo.ffmpeg.duration",
        }.Select(name => (name, WorkerService)),
        ("mixillo.jobs", ApiService),
        ("http.server.request.duration", ApiService),
    ];

    private static List<ReceivedSpan> StagesOf(IEnumerable<ReceivedSpan> spans, string jobId) =>
        [.. spans.Where(s => s.Name.StartsWith("job ", StringComparison.Ordinal) && Equals(s.Attributes.GetValueOrDefault("mixillo.job.id"), jobId))];

    /// <summary>
    /// POST .../complete (API, server) → enqueue job (API, producer) → job fetch, job process, job publish (worker,
    /// consumers, in that order) → the ffmpeg runs of the process stage: one trace id, each span's parent the one before.
    /// </summary>
    private static void AssertOneTrace(IReadOnlyList<ReceivedSpan> spans, string jobId)
    {
        var enqueue = Assert.Single(spans, s => s.Name == "enqueue job" && Equals(s.Attributes.GetValueOrDefault("mixillo.job.id"), jobId));
        Assert.Equal((ApiService, 4), (enqueue.ServiceName, enqueue.Kind));
        var complete = Assert.Single(spans, s => s.TraceId == enqueue.TraceId && s.Kind == 2);
        Assert.Equal(ApiService, complete.ServiceName);
        Assert.Equal("/api/content/upload/{uploadId}/complete", complete.Attributes["http.route"]);
        Assert.Equal("POST /api/content/upload/{uploadId}/complete", complete.Name);
        Assert.Equal(complete.SpanId, ParentChain(spans, enqueue).Last().SpanId);

        var stages = StagesOf(spans, jobId).OrderBy(s => s.StartUnixNano).ToList();
        Assert.Equal(["job fetch", "job process", "job publish"], stages.Select(s => s.Name));
        Assert.All(stages, s => Assert.Equal((WorkerService, 5, enqueue.TraceId, enqueue.SpanId, "completed"), (s.ServiceName, s.Kind, s.TraceId, s.ParentSpanId, s.Attributes["outcome"])));
        // A stage's span closes after its acknowledgement, by when the next stage may have started on the other slot.
        Assert.True(enqueue.EndUnixNano <= stages[0].StartUnixNano && stages[0].StartUnixNano < stages[1].StartUnixNano && stages[1].StartUnixNano < stages[2].StartUnixNano);

        var process = stages[1];
        var encode = Assert.Single(spans, s => s.Name == "ffmpeg encode" && s.TraceId == enqueue.TraceId);
        Assert.Equal((WorkerService, process.SpanId, 0L, 1L), (encode.ServiceName, encode.ParentSpanId, encode.Attributes["process.exit.code"], encode.Attributes["mixillo.ffmpeg.rungs"]));
        Assert.InRange((double)encode.Attributes["mixillo.media.duration"]!, 3.9, 4.1);
        Assert.True((double)encode.Attributes["mixillo.ffmpeg.speed"]! > 0);
        Assert.True(process.StartUnixNano <= encode.StartUnixNano && encode.EndUnixNano <= process.EndUnixNano);
        Assert.Equal("encode", encode.Attributes["mixillo.ffmpeg.step"]);
        // The encode cuts the HLS segments itself: no ffmpeg packages them afterwards.
        Assert.DoesNotContain(spans, s => s.Name.StartsWith("ffmpeg package", StringComparison.Ordinal) && s.TraceId == enqueue.TraceId);

        // The database work of a stage is inside its trace; a worker's idle polls start none.
        Assert.Contains(spans, s => s.Scope == "Npgsql" && s.TraceId == enqueue.TraceId && s.ServiceName == WorkerService);
        Assert.DoesNotContain(spans, s => s.Scope == "Npgsql" && s.ParentSpanId.Length == 0);
    }

    private static List<ReceivedSpan> ParentChain(IReadOnlyList<ReceivedSpan> spans, ReceivedSpan span)
    {
        var chain = new List<ReceivedSpan>();
        while (spans.FirstOrDefault(s => s.SpanId == span.ParentSpanId) is { } parent)
        {
            chain.Add(parent);
            span = parent;
        }

        return chain;
    }

    private static void AssertMetrics(IReadOnlyList<ReceivedMetric> metrics)
    {
        double Sum(string name, string attribute, string value) =>
            Latest(metrics, name)!.Points.Where(p => Equals(p.Attributes.GetValueOrDefault(attribute), value)).Sum(p => p.Value ?? 0);
        long Count(string name, string attribute, string value) =>
            Latest(metrics, name)!.Points.Where(p => Equals(p.Attributes.GetValueOrDefault(attribute), value)).Sum(p => p.Count ?? 0);

        Assert.Equal(1, Sum("mixillo.jobs.finished", "status", "completed"));
        Assert.Equal(1, Sum("mixillo.jobs.finished", "status", "failed"));
        Assert.Equal(1, Sum("mixillo.job.failures", "error.type", "input_not_video"));
        Assert.Equal(1, Sum("mixillo.jobs.recovered", "outcome", "queued"));
        Assert.Equal(1, Count("mixillo.job.duration", "status", "completed"));
        Assert.Equal(1, Count("mixillo.stage.duration", "outcome", "failed"));
        Assert.Equal(3, Count("mixillo.stage.duration", "outcome", "completed"));
        Assert.Equal(4, Count("mixillo.queue.wait", "mixillo.stage", "fetch") + Count("mixillo.queue.wait", "mixillo.stage", "process") + Count("mixillo.queue.wait", "mixillo.stage", "publish"));
        Assert.True(Sum("mixillo.storage.bytes", "direction", "read") > 0);
        Assert.True(Sum("mixillo.storage.bytes", "direction", "written") > 0);
        Assert.True(Sum("mixillo.storage.bytes", "direction", "copied") > 0);
        Assert.Equal(1, Count("mixillo.ffmpeg.speed", "mixillo.ffmpeg.step", "encode"));
        Assert.Equal(MetricKind.Gauge, Latest(metrics, "mixillo.jobs", ApiService)!.Kind);
        Assert.Contains(Latest(metrics, "mixillo.jobs", ApiService)!.Points, p => Equals(p.Attributes.GetValueOrDefault("status"), "queued"));
        Assert.InRange(Latest(metrics, "mixillo.worker.heartbeat.age")!.Points.Single().Value!.Value, 0, 1.5);
        Assert.Equal(2, Latest(metrics, "mixillo.worker.slots")!.Points.Single().Value);
        Assert.Contains(Latest(metrics, "http.server.request.duration", ApiService)!.Points, p => Equals(p.Attributes.GetValueOrDefault("http.route"), "/api/content/upload/{uploadId}/complete"));
    }

    /// <summary>A stage's logs carry jobId, contentId and stage from the scope, and the stage span's trace.</summary>
    private static void AssertLogs(IReadOnlyList<ReceivedLog> logs, string jobId, IReadOnlyList<ReceivedSpan> spans)
    {
        var process = StagesOf(spans, jobId).Single(s => s.Name == "job process");
        var started = Assert.Single(logs, l => l.ServiceName == WorkerService && Equals(l.Attributes.GetValueOrDefault("jobId"), jobId)
            && Equals(l.Attributes.GetValueOrDefault("stage"), "process") && Equals(l.Attributes.GetValueOrDefault("{OriginalFormat}"), "Stage {Stage} started (lease {Token})"));
        Assert.Equal((process.TraceId, process.SpanId), (started.TraceId, started.SpanId));
        Assert.Equal(process.Attributes["mixillo.content.id"], started.Attributes["contentId"]);
        var failed = Assert.Single(logs, l => l.ServiceName == WorkerService && Equals(l.Attributes.GetValueOrDefault("Code"), "input_not_video"));
        Assert.Equal("fetch", failed.Attributes["stage"]);
        // ffmpeg's stderr goes with the failure to the log, not into the job a client reads.
        Assert.Contains("moov atom not found", (string)failed.Attributes["Diagnostics"]!, StringComparison.Ordinal);
    }

    /// <summary>
    /// The last export of a metric by one service: instruments are cumulative, so it holds everything so far. The
    /// service matters: the API runs in this process, where other tests' in-process workers also record into the
    /// static Mixillo meters it exports.
    /// </summary>
    private static ReceivedMetric? Latest(IReadOnlyList<ReceivedMetric> metrics, string name, string service = WorkerService) =>
        metrics.LastOrDefault(m => m.Name == name && m.ServiceName == service && m.Points.Count > 0);
}
