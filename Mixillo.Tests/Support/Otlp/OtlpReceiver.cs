using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mixillo.Tests.Support.Otlp;

/// <summary>
/// An OTLP/HTTP protobuf collector on a free loopback port that keeps what it receives: POST /v1/traces,
/// /v1/metrics and /v1/logs, gzip or not. A body it cannot decode answers 400 and lands in <see cref="Errors"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";
    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedMetric> _metrics = [];
    private readonly List<ReceivedLog> _logs = [];
    private readonly List<string> _errors = [];
    private readonly WebApplication _app;

    private OtlpReceiver()
    {
        // The empty builder reads no appsettings.json or environment, so nothing in the test folder reconfigures it.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The base address, http://127.0.0.1:PORT; exporters need the full signal path appended.</summary>
    public Uri Endpoint => new(_app.Urls.Single());

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
            "/v1/traces" => body => Add(_spans, OtlpDecoder.DecodeTraces(body)),
            "/v1/metrics" => body => Add(_metrics, OtlpDecoder.DecodeMetrics(body)),
            "/v1/logs" => body => Add(_logs, OtlpDecoder.DecodeLogs(body)),
            _ => null,
        };
        if (accept is null || !HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = accept is null ? StatusCodes.Status404NotFound : StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) != true)
        {
            Add(_errors, [$"{request.Path}: content type '{request.ContentType}' is not {Protobuf}"]);
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        try
        {
            // Decoded in full before anything is kept, so a bad body adds nothing; an empty response is a valid one.
            accept(await ReadBodyAsync(request, context.RequestAborted));
            context.Response.ContentType = Protobuf;
        }
        catch (InvalidDataException e)
        {
            Add(_errors, [$"{request.Path}: {e.Message}"]);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

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
