using System.Globalization;

namespace Mixillo.Tests.Support.Otlp;

/// <summary>
/// Decodes the bodies of OTLP/HTTP protobuf export requests (opentelemetry-proto v1). Malformed input throws
/// <see cref="InvalidDataException"/>.
/// </summary>
public static class OtlpDecoder
{
    public static IReadOnlyList<ReceivedSpan> DecodeTraces(ReadOnlyMemory<byte> body) => DecodeRequest(body, Span);

    public static IReadOnlyList<ReceivedMetric> DecodeMetrics(ReadOnlyMemory<byte> body) => DecodeRequest(body, Metric);

    public static IReadOnlyList<ReceivedLog> DecodeLogs(ReadOnlyMemory<byte> body) => DecodeRequest(body, Log);

    // All three requests share one shape: Export*ServiceRequest { repeated Resource* = 1 },
    // Resource* { Resource resource = 1; repeated Scope* = 2 }, Scope* { InstrumentationScope scope = 1; repeated items = 2 }.
    private static List<T> DecodeRequest<T>(ReadOnlyMemory<byte> body, Func<ReadOnlyMemory<byte>, Origin, string, T> decode)
    {
        var records = new List<T>();
        foreach (var resourceGroup in Repeated(body, 1))
        {
            var resource = Repeated(resourceGroup, 1).Select(r => Attributes(r, 1)).LastOrDefault();
            var service = new Origin(resource?.GetValueOrDefault("service.name") as string ?? "", resource?.GetValueOrDefault("service.instance.id") as string ?? "");
            foreach (var scopeGroup in Repeated(resourceGroup, 2))
            {
                var scope = Repeated(scopeGroup, 1).Select(s => Text(s, 1)).LastOrDefault() ?? "";
                records.AddRange(Repeated(scopeGroup, 2).Select(item => decode(item, service, scope)));
            }
        }

        return records;
    }

    /// <summary>The resource an item came from: <c>service.name</c> and <c>service.instance.id</c>.</summary>
    private sealed record Origin(string Service, string Instance);

    private static ReceivedSpan Span(ReadOnlyMemory<byte> span, Origin service, string scope)
    {
        string traceId = "", spanId = "", parentSpanId = "", name = "";
        var kind = 0;
        var status = 0;
        ulong start = 0, end = 0;
        var events = new List<ReceivedEvent>();
        var reader = new ProtoReader(span);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: traceId = Hex(reader); break;
                case 2: spanId = Hex(reader); break;
                case 4: parentSpanId = Hex(reader); break;
                case 5: name = reader.ReadString(); break;
                case 6: kind = (int)reader.ReadVarint(); break;
                case 7: start = reader.ReadFixed64(); break;
                case 8: end = reader.ReadFixed64(); break;
                case 11: events.Add(Event(reader.ReadBytes())); break;
                case 15: status = (int)Varint(reader.ReadBytes(), 3); break;
                default: reader.Skip(); break;
            }
        }

        return new(service.Service, scope, traceId, spanId, parentSpanId, name, kind, start, end, Attributes(span, 9), events, status, service.Instance);
    }

    private static ReceivedEvent Event(ReadOnlyMemory<byte> spanEvent) => new(Text(spanEvent, 2), Attributes(spanEvent, 3));

    private static ReceivedMetric Metric(ReadOnlyMemory<byte> metric, Origin service, string scope)
    {
        string name = "", unit = "";
        MetricKind? kind = null;
        var points = new List<ReceivedPoint>();
        var reader = new ProtoReader(metric);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: name = reader.ReadString(); break;
                case 3: unit = reader.ReadString(); break;
                case 5: kind = MetricKind.Gauge; points.AddRange(Points(reader, NumberPoint)); break;
                case 7: kind = MetricKind.Sum; points.AddRange(Points(reader, NumberPoint)); break;
                case 9: kind = MetricKind.Histogram; points.AddRange(Points(reader, p => HistogramPoint(p, attributesField: 9))); break;
                case 10: kind = MetricKind.ExponentialHistogram; points.AddRange(Points(reader, p => HistogramPoint(p, attributesField: 1))); break;
                default: reader.Skip(); break;
            }
        }

        return new(service.Service, scope, name, unit, kind ?? throw new InvalidDataException($"Metric '{name}' has no gauge, sum or histogram."), points);
    }

    // Gauge, Sum, Histogram and ExponentialHistogram all hold their data points in field 1.
    private static IEnumerable<ReceivedPoint> Points(ProtoReader reader, Func<ReadOnlyMemory<byte>, ReceivedPoint> point) =>
        Repeated(reader.ReadBytes(), 1).Select(point);

    private static ReceivedPoint NumberPoint(ReadOnlyMemory<byte> point)
    {
        double? value = null;
        var reader = new ProtoReader(point);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 4: value = reader.ReadDouble(); break;
                case 6: value = (long)reader.ReadFixed64(); break;
                default: reader.Skip(); break;
            }
        }

        return new(Attributes(point, 7), value, null, null);
    }

    private static ReceivedPoint HistogramPoint(ReadOnlyMemory<byte> point, int attributesField)
    {
        long? count = null;
        double? sum = null;
        var reader = new ProtoReader(point);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 4: count = (long)reader.ReadFixed64(); break;
                case 5: sum = reader.ReadDouble(); break;
                default: reader.Skip(); break;
            }
        }

        return new(Attributes(point, attributesField), null, count, sum);
    }

    private static ReceivedLog Log(ReadOnlyMemory<byte> log, Origin service, string scope)
    {
        string severityText = "", body = "", traceId = "", spanId = "";
        var severity = 0;
        var reader = new ProtoReader(log);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 2: severity = (int)reader.ReadVarint(); break;
                case 3: severityText = reader.ReadString(); break;
                case 5: body = Convert.ToString(Value(reader.ReadBytes()), CultureInfo.InvariantCulture) ?? ""; break;
                case 9: traceId = Hex(reader); break;
                case 10: spanId = Hex(reader); break;
                default: reader.Skip(); break;
            }
        }

        return new(service.Service, scope, severity, severityText, body, Attributes(log, 6), traceId, spanId, service.Instance);
    }

    /// <summary>The KeyValue entries in <paramref name="field"/> of <paramref name="message"/>.</summary>
    private static Dictionary<string, object?> Attributes(ReadOnlyMemory<byte> message, int field)
    {
        var attributes = new Dictionary<string, object?>();
        foreach (var keyValue in Repeated(message, field))
            attributes[Text(keyValue, 1)] = Repeated(keyValue, 2).Select(Value).LastOrDefault();

        return attributes;
    }

    /// <summary>An AnyValue as string, bool, long, double, object?[], a dictionary, byte[] or null.</summary>
    private static object? Value(ReadOnlyMemory<byte> anyValue)
    {
        object? value = null;
        var reader = new ProtoReader(anyValue);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: value = reader.ReadString(); break;
                case 2: value = reader.ReadVarint() != 0; break;
                case 3: value = (long)reader.ReadVarint(); break;
                case 4: value = reader.ReadDouble(); break;
                case 5: value = Repeated(reader.ReadBytes(), 1).Select(Value).ToArray(); break;
                case 6: value = Attributes(reader.ReadBytes(), 1); break;
                case 7: value = reader.ReadBytes().ToArray(); break;
                default: reader.Skip(); break;
            }
        }

        return value;
    }

    private static string Hex(ProtoReader reader) => Convert.ToHexStringLower(reader.ReadBytes().Span);

    private static List<ReadOnlyMemory<byte>> Repeated(ReadOnlyMemory<byte> message, int field) =>
        Each(message, field, reader => reader.ReadBytes());

    private static string Text(ReadOnlyMemory<byte> message, int field) =>
        Each(message, field, reader => reader.ReadString()).LastOrDefault() ?? "";

    private static ulong Varint(ReadOnlyMemory<byte> message, int field) =>
        Each(message, field, reader => reader.ReadVarint()).LastOrDefault();

    /// <summary>Every occurrence of <paramref name="field"/> in <paramref name="message"/>, read by <paramref name="read"/>.</summary>
    private static List<T> Each<T>(ReadOnlyMemory<byte> message, int field, Func<ProtoReader, T> read)
    {
        var values = new List<T>();
        var reader = new ProtoReader(message);
        while (reader.Next())
        {
            if (reader.Field == field)
                values.Add(read(reader));
            else
                reader.Skip();
        }

        return values;
    }
}
