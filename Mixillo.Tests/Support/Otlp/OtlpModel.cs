namespace Mixillo.Tests.Support.Otlp;

/// <summary>
/// One exported span. Ids are lowercase hex; <see cref="ParentSpanId"/> is empty for a root span. <see cref="Kind"/>
/// and <see cref="StatusCode"/> are the OTLP enum values (kind 1 internal, 2 server, 3 client, 4 producer,
/// 5 consumer; status 0 unset, 1 ok, 2 error). Attribute values are string, bool, long, double, object?[],
/// a nested dictionary or byte[]. <see cref="ServiceInstance"/> is the resource's <c>service.instance.id</c>.
/// </summary>
public sealed record ReceivedSpan(
    string ServiceName,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    ulong StartUnixNano,
    ulong EndUnixNano,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<ReceivedEvent> Events,
    int StatusCode,
    string ServiceInstance);

/// <summary>A span event.</summary>
public sealed record ReceivedEvent(string Name, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>The OTLP data kinds a metric can carry (summaries are not decoded).</summary>
public enum MetricKind
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
}

/// <summary>One exported metric with its data points.</summary>
public sealed record ReceivedMetric(
    string ServiceName,
    string Scope,
    string Name,
    string Unit,
    MetricKind Kind,
    IReadOnlyList<ReceivedPoint> Points);

/// <summary>
/// A data point: <see cref="Value"/> for gauges and sums (as_double or as_int), <see cref="Count"/> and
/// <see cref="Sum"/> for (exponential) histograms.
/// </summary>
public sealed record ReceivedPoint(IReadOnlyDictionary<string, object?> Attributes, double? Value, long? Count, double? Sum);

/// <summary>One exported log record; <see cref="Scope"/> is the logger category, ids are lowercase hex or empty.</summary>
public sealed record ReceivedLog(
    string ServiceName,
    string Scope,
    int SeverityNumber,
    string SeverityText,
    string Body,
    IReadOnlyDictionary<string, object?> Attributes,
    string TraceId,
    string SpanId,
    string ServiceInstance);
