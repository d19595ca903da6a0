using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mixillo.Tests.Support.Otlp;

/// <summary>
/// An OTLP collector on a free loopback port that keeps what it receives: OTLP/HTTP protobuf on POST /v1/traces,
/// /v1/metrics and /v1/logs, and OTLP/gRPC (HTTP/2 without TLS) on the Export call of the trace, metrics and logs
/// services, gzip or not. A body it cannot decode answers 400 (gRPC: status 3) and lands in <see cref="Errors"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";
    private const string GrpcService = "/opentelemetry.proto.collector.";
    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedMetric> _metrics = [];
    private readonly List<ReceivedLog> _logs = [];
    private readonly List<string> _errors = [];
    private readonly WebApplication _app;
    private ListenOptions _http = null!;
    private ListenOptions _grpc = null!;

    private OtlpReceiver()
    {
        // The empty builder reads no appsettings.json or environment, so nothing in the test folder reconfigures it.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Without TLS there is no ALPN to pick HTTP/2, and Kestrel serves a cleartext Http1AndHttp2 endpoint as
            // HTTP/1.1 only (an HTTP/2 preface gets GOAWAY HTTP_1_1_REQUIRED), so gRPC, which is HTTP/2 by prior
            // knowledge there, has a port of its own.
            kestrel.Listen(IPAddress.Loopback, 0, listen => _http = listen);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (_grpc = listen).Protocols = HttpProtocols.Http2);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The base address of OTLP/HTTP (HTTP/1.1), http://127.0.0.1:PORT; exporters need the full signal path appended.</summary>
    public Uri Endpoint => Address(_http);

    /// <summary>The base address of OTLP/gRPC (HTTP/2 only), http://127.0.0.1:PORT, which exporters take as it is.</summary>
    public Uri GrpcEndpoint => Address(_grpc);

    public IReadOnlyList<ReceivedSpan> Spans => Snapshot(_spans);

    public IReadOnlyList<ReceivedMetric> Metrics => Snapshot(_metrics);

    public IReadOnlyList<ReceivedLog> Logs => Snapshot(_logs);

    /// <summary>Why requests were refused (path and reason); a test of well-formed telemetry asserts it empty.</summary>
    public IReadOnlyList<string> Errors => Snapshot(_errors);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns non-null; on timeout, says what did arrive.</summary>
    public async Task<T> WaitForAsync<T>(Func<OtlpReceiver, T?> probe, TimeSpan timeout)
        where T : class
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (probe(this) is { } found)
            {
                return found;
            }

            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"Telemetry did not match within {timeout}; received {this}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Span and metric names with counts, log categories with counts, and errors.</summary>
    public override string ToString()
    {
        static string Count(IEnumerable<string> names) => string.Join(", ", names.CountBy(name => name).Select(n => $"{n.Key} x{n.Value}"));

        return $"spans [{Count(Spans.Select(s => s.Name))}], metrics [{Count(Metrics.Select(m => m.Name))}], " +
            $"logs [{Count(Logs.Select(l => l.Scope))}], errors [{string.Join("; ", Errors)}]";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        // A service under test in this process traces every ASP.NET Core request, this receiver's own included:
        // those are not recorded, or each export would be traced and exported in turn.
        if (Activity.Current is { } activity)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }

        var request = context.Request;
        Action<ReadOnlyMemory<byte>>? accept = request.Path.Value switch
        {
            "/v1/traces" or GrpcService + "trace.v1.TraceService/Export" => body => Add(_spans, OtlpDecoder.DecodeTraces(body)),
            "/v1/metrics" or GrpcService + "metrics.v1.MetricsService/Export" => body => Add(_metrics, OtlpDecoder.DecodeMetrics(body)),
            "/v1/logs" or GrpcService + "logs.v1.LogsService/Export" => body => Add(_logs, OtlpDecoder.DecodeLogs(body)),
            _ => null,
        };
        if (accept is null || !HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = accept is null ? StatusCodes.Status404NotFound : StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var grpc = request.Path.Value!.StartsWith(GrpcService, StringComparison.Ordinal);
        if (grpc && !HttpProtocol.IsHttp2(request.Protocol))
        {
            // A gRPC status is a trailer, and Kestrel sends none on HTTP/1.1.
            Add(_errors, [$"{request.Path}: gRPC over {request.Protocol}, not HTTP/2"]);
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        var contentType = grpc ? GrpcFrames.ContentType : Protobuf;
        if (request.ContentType?.StartsWith(contentType, StringComparison.OrdinalIgnoreCase) != true)
        {
            Add(_errors, [$"{request.Path}: content type '{request.ContentType}' is not {contentType}"]);
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        string? error = null;
        try
        {
            // Decoded in full before anything is kept, so a bad body adds nothing.
            var body = await ReadBodyAsync(request, context.RequestAborted);
            accept(grpc ? GrpcFrames.Unframe(body) : body);
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
            Add(_errors, [$"{request.Path}: {error}"]);
        }

        // Every field of an export response is optional, so an empty one is valid.
        if (grpc)
            await GrpcFrames.AnswerAsync(context.Response, error);
        else if (error is null)
            context.Response.ContentType = Protobuf;
        else
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    private static Uri Address(ListenOptions listen) => new($"http://{listen.IPEndPoint}");

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await using var unzipped = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            await unzipped.CopyToAsync(buffer, cancellationToken);
        }
        else
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }

        return buffer.ToArray();
    }

    private void Add<T>(List<T> list, IEnumerable<T> items)
    {
        lock (_gate)
        {
            list.AddRange(items);
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
            return [.. list];
    }
}
