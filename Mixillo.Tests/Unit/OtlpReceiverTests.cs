using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Mixillo.Tests.Support.Otlp;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mixillo.Tests.Unit;

/// <summary>
/// The receiver against the real OpenTelemetry .NET OTLP exporter over OTLP/HTTP and over gRPC, and against hand-made
/// bodies.
/// </summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private const string Source = "otlp-test";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await OtlpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Spans_keep_their_trace_parent_kind_typed_attributes_events_and_status(OtlpExportProtocol protocol)
    {
        using var source = new ActivitySource(Source);
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(Source).SetResourceBuilder(SvcA())
                   .AddOtlpExporter(Export(protocol, "/v1/traces")).Build())
        {
            using (source.StartActivity("transcode", ActivityKind.Server))
            using (var encode = source.StartActivity("encode", ActivityKind.Client))
            {
                encode!.SetTag("rung", "720p").SetTag("hardware", false).SetTag("frames", 1800).SetTag("fps", 29.97)
                    .SetTag("codecs", new[] { "h264", "aac" })
                    .AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = 2 }))
                    .SetStatus(ActivityStatusCode.Error, "ffmpeg exited with 1");
            }

            tracing.ForceFlush();
        }

        var spans = await _receiver.WaitForAsync(r => r.Spans.Count >= 2 ? r.Spans : null, Patience);
        var parent = Assert.Single(spans, s => s.Name == "transcode");
        var child = Assert.Single(spans, s => s.Name == "encode");
        Assert.Matches("^[0-9a-f]{32}$", parent.TraceId);
        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.Matches("^[0-9a-f]{16}$", parent.SpanId);
        Assert.Equal(parent.SpanId, child.ParentSpanId);
        Assert.Empty(parent.ParentSpanId);
        Assert.Equal((2, 3), (parent.Kind, child.Kind));
        Assert.Equal(("svc-a", Source), (child.ServiceName, child.Scope));
        Assert.InRange(child.StartUnixNano, parent.StartUnixNano, child.EndUnixNano);
        Assert.InRange(child.EndUnixNano, child.StartUnixNano, parent.EndUnixNano);
        Assert.Equal("720p", Assert.IsType<string>(child.Attributes["rung"]));
        Assert.False(Assert.IsType<bool>(child.Attributes["hardware"]));
        Assert.Equal(1800L, Assert.IsType<long>(child.Attributes["frames"]));
        Assert.Equal(29.97, Assert.IsType<double>(child.Attributes["fps"]));
        Assert.Equal(["h264", "aac"], Assert.IsType<object?[]>(child.Attributes["codecs"]));
        var retry = Assert.Single(child.Events);
        Assert.Equal("retry", retry.Name);
        Assert.Equal(2L, retry.Attributes["attempt"]);
        Assert.Equal((0, 2), (parent.StatusCode, child.StatusCode));
        Assert.Empty(_receiver.Errors);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Counters_histograms_and_gauges_arrive_with_their_values_and_attributes(OtlpExportProtocol protocol)
    {
        using var meter = new Meter(Source);
        var renditions = meter.CreateCounter<long>("mixillo.renditions", unit: "{rendition}");
        var duration = meter.CreateHistogram<double>("mixillo.encode.duration", unit: "s");
        meter.CreateObservableGauge("mixillo.queue.depth", () => new Measurement<double>(4.5, new KeyValuePair<string, object?>("queue", "default")));
        var rung = new KeyValuePair<string, object?>("rung", "720p");
        using (var metrics = Sdk.CreateMeterProviderBuilder().AddMeter(Source).SetResourceBuilder(SvcA())
                   .AddOtlpExporter(Export(protocol, "/v1/metrics")).Build())
        {
            renditions.Add(2, rung);
            renditions.Add(3, rung);
            duration.Record(1.5, rung);
            duration.Record(2.5, rung);
            metrics.ForceFlush();
        }

        string[] names = ["mixillo.renditions", "mixillo.encode.duration", "mixillo.queue.depth"];
        var received = await _receiver.WaitForAsync(r => names.All(n => r.Metrics.Any(m => m.Name == n)) ? r.Metrics : null, Patience);
        var counter = received.First(m => m.Name == "mixillo.renditions");
        Assert.Equal(("svc-a", Source, "{rendition}", MetricKind.Sum), (counter.ServiceName, counter.Scope, counter.Unit, counter.Kind));
        var sum = Assert.Single(counter.Points);
        Assert.Equal(5, sum.Value);
        Assert.Equal("720p", sum.Attributes["rung"]);
        var histogram = received.First(m => m.Name == "mixillo.encode.duration");
        Assert.Equal(("s", MetricKind.Histogram), (histogram.Unit, histogram.Kind));
        var distribution = Assert.Single(histogram.Points);
        Assert.Equal((2L, 4.0), (distribution.Count, distribution.Sum));
        Assert.Equal("720p", distribution.Attributes["rung"]);
        var gauge = received.First(m => m.Name == "mixillo.queue.depth");
        Assert.Equal(MetricKind.Gauge, gauge.Kind);
        var depth = Assert.Single(gauge.Points);
        Assert.Equal(4.5, depth.Value);
        Assert.Equal("default", depth.Attributes["queue"]);
        Assert.Empty(_receiver.Errors);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Logs_carry_body_severity_scope_attributes_and_the_active_span(OtlpExportProtocol protocol)
    {
        using var source = new ActivitySource(Source);
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(Source).Build();
        string traceId, spanId;
        using (var logging = LoggerFactory.Create(builder => builder.AddOpenTelemetry(o =>
               {
                   o.IncludeScopes = true;
                   o.SetResourceBuilder(SvcA());
                   o.AddOtlpExporter(Export(protocol, "/v1/logs"));
               })))
        {
            var logger = logging.CreateLogger("Mixillo.Worker");
            using var transcode = source.StartActivity("transcode");
            using (logger.BeginScope(new Dictionary<string, object> { ["jobId"] = "job_1" }))
                logger.LogWarning("Rung {Rung} failed after {Attempts} attempts", "720p", 3);

            (traceId, spanId) = (transcode!.TraceId.ToHexString(), transcode.SpanId.ToHexString());
        }

        var log = await _receiver.WaitForAsync(r => r.Logs.FirstOrDefault(), Patience);
        Assert.Equal(("svc-a", "Mixillo.Worker"), (log.ServiceName, log.Scope));
        Assert.Equal("Rung {Rung} failed after {Attempts} attempts", log.Body);
        Assert.Equal((13, "Warning"), (log.SeverityNumber, log.SeverityText));
        Assert.Equal("job_1", log.Attributes["jobId"]);
        Assert.Equal("720p", log.Attributes["Rung"]);
        Assert.Equal(3L, log.Attributes["Attempts"]);
        Assert.Equal((traceId, spanId), (log.TraceId, log.SpanId));
        Assert.Empty(_receiver.Errors);
    }

    [Fact]
    public async Task A_gzip_body_is_unzipped_and_unknown_fields_of_every_wire_type_are_skipped()
    {
        byte[] unknown =
        [
            0x10, 0x96, 0x01, // field 2, varint 150
            0x19, 1, 2, 3, 4, 5, 6, 7, 8, // field 3, fixed64
            0x23, 0x28, 0x01, 0x24, // field 4, a group holding field 5 = varint 1
            0x2D, 1, 2, 3, 4, // field 5, fixed32
        ];
        byte[] request = [.. unknown, .. TraceRequest("zipped")];

        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v1/traces", Gzip(request), "gzip"));

        Assert.Equal("zipped", Assert.Single(_receiver.Spans).Name);
        Assert.Empty(_receiver.Errors);
    }

    [Fact]
    public async Task A_malformed_body_is_refused_and_recorded()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("/v1/metrics", Truncated));

        Assert.Contains("/v1/metrics", Assert.Single(_receiver.Errors), StringComparison.Ordinal);
        Assert.Empty(_receiver.Metrics);
    }

    [Fact]
    public async Task Grpc_messages_are_joined_and_unzipped_and_the_call_answers_an_empty_message_and_status_0()
    {
        var (body, status, _) = await CallAsync("trace.v1.TraceService", [.. Frame(TraceRequest("plain")), .. Frame(TraceRequest("zipped"), gzip: true)]);

        Assert.Equal("0", status);
        Assert.Equal(Frame([]), body);
        Assert.Equal(["plain", "zipped"], _receiver.Spans.Select(s => s.Name));
        Assert.Empty(_receiver.Errors);
    }

    [Fact]
    public async Task A_grpc_call_over_http_1_1_is_refused_and_recorded()
    {
        Assert.Equal(HttpStatusCode.UpgradeRequired, await PostAsync("/opentelemetry.proto.collector.trace.v1.TraceService/Export", Frame(TraceRequest("lost"))));

        Assert.Contains("HTTP/1.1", Assert.Single(_receiver.Errors), StringComparison.Ordinal);
        Assert.Empty(_receiver.Spans);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_malformed_grpc_body_is_refused_with_invalid_argument_and_recorded(bool brokenFrame)
    {
        // A frame whose length runs past the end, or a whole frame holding a truncated message.
        var (body, status, message) = await CallAsync("metrics.v1.MetricsService", brokenFrame ? Frame(Truncated)[..^1] : Frame(Truncated));

        Assert.Equal("3", status);
        Assert.Empty(body);
        var error = Assert.Single(_receiver.Errors);
        Assert.Contains("MetricsService/Export", error, StringComparison.Ordinal);
        Assert.EndsWith(Uri.UnescapeDataString(message!), error, StringComparison.Ordinal);
        Assert.Empty(_receiver.Metrics);
    }

    [Fact]
    public async Task A_wait_that_times_out_says_what_did_arrive()
    {
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v1/traces", TraceRequest("arrived")));

        var timeout = await Assert.ThrowsAsync<TimeoutException>(
            () => _receiver.WaitForAsync(r => r.Spans.FirstOrDefault(s => s.Name == "missing"), TimeSpan.FromMilliseconds(200)));

        Assert.Contains("spans [arrived x1]", timeout.Message, StringComparison.Ordinal);
    }

    /// <summary>Field 1 announces five bytes; one follows.</summary>
    private static byte[] Truncated => [0x0A, 0x05, 0x01];

    private static ResourceBuilder SvcA() => ResourceBuilder.CreateDefault().AddService("svc-a");

    /// <summary>An export request holding one span named <paramref name="name"/> and nothing else.</summary>
    private static byte[] TraceRequest(string name) => Message(1, Message(2, Message(2, Message(5, Encoding.UTF8.GetBytes(name)))));

    /// <summary>A length-delimited field (short enough for one-byte tag and length).</summary>
    private static byte[] Message(int field, byte[] content) => [(byte)((field << 3) | 2), (byte)content.Length, .. content];

    private static byte[] Gzip(byte[] body)
    {
        using var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest))
            gzip.Write(body);

        return zipped.ToArray();
    }

    /// <summary>A gRPC length-prefixed message: compressed flag, big-endian length, the (zipped) message.</summary>
    private static byte[] Frame(byte[] message, bool gzip = false)
    {
        var content = gzip ? Gzip(message) : message;
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, content.Length);
        return [gzip ? (byte)1 : (byte)0, .. length, .. content];
    }

    /// <summary>Over gRPC the exporter appends the service's path to the base address; over HTTP it takes the full one.</summary>
    private Action<OtlpExporterOptions> Export(OtlpExportProtocol protocol, string httpPath) => options =>
    {
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? _receiver.GrpcEndpoint : new Uri(_receiver.Endpoint, httpPath);
        options.Protocol = protocol;
    };

    private async Task<HttpStatusCode> PostAsync(string path, byte[] body, string? encoding = null)
    {
        using var client = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (encoding is not null)
            content.Headers.ContentEncoding.Add(encoding);

        using var response = await client.PostAsync(new Uri(_receiver.Endpoint, path), content);
        return response.StatusCode;
    }

    /// <summary>An Export call of <paramref name="service"/> over HTTP/2 without TLS: the response body, grpc-status and grpc-message.</summary>
    private async Task<(byte[] Body, string? Status, string? Message)> CallAsync(string service, byte[] body)
    {
        using var client = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_receiver.GrpcEndpoint, $"/opentelemetry.proto.collector.{service}/Export"))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(request);
        Assert.Equal((HttpStatusCode.OK, "application/grpc"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));

        // The trailers follow the body, so they are read after it.
        var received = await response.Content.ReadAsByteArrayAsync();
        string? Trailer(string name) => response.TrailingHeaders.TryGetValues(name, out var values) ? values.Single() : null;
        return (received, Trailer("grpc-status"), Trailer("grpc-message"));
    }
}
