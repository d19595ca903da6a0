using System.Globalization;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Mixillo.ServiceDefaults;

/// <summary>
/// Where and how telemetry goes, from the standard OpenTelemetry variables (read through configuration, so
/// appsettings and command-line arguments can set them too): <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the default and what the Aspire dashboard takes, or
/// <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> and <c>OTEL_BSP_SCHEDULE_DELAY</c> (milliseconds).
/// </summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, string? Headers, string ServiceName, int MetricIntervalMs, int BatchDelayMs)
{
    public const int DefaultMetricIntervalMs = 60_000;
    public const int DefaultBatchDelayMs = 5_000;

    /// <summary>Null when no endpoint is set: then nothing is collected.</summary>
    public static OtlpSettings? From(IConfiguration configuration, string applicationName)
    {
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not { Length: > 0 } endpoint)
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, not '{endpoint}'.");
        }

        var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{other}'."),
        };
        return new OtlpSettings(
            uri,
            protocol,
            configuration["OTEL_EXPORTER_OTLP_HEADERS"],
            configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : applicationName,
            Milliseconds(configuration, "OTEL_METRIC_EXPORT_INTERVAL", DefaultMetricIntervalMs),
            Milliseconds(configuration, "OTEL_BSP_SCHEDULE_DELAY", DefaultBatchDelayMs));
    }

    /// <summary>
    /// One signal's exporter. Over http/protobuf each signal has its own path under the endpoint (the exporter
    /// adds it only when it read the variable itself, and here the settings are given in code).
    /// </summary>
    public void Apply(OtlpExporterOptions options, string signal)
    {
        options.Protocol = Protocol;
        options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(Endpoint.ToString().TrimEnd('/') + "/v1/" + signal) : Endpoint;
        if (Headers is not null)
        {
            options.Headers = Headers;
        }

        options.BatchExportProcessorOptions.ScheduledDelayMilliseconds = BatchDelayMs;
    }

    private static int Milliseconds(IConfiguration configuration, string name, int fallback) =>
        configuration[name] is not { Length: > 0 } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0 ? ms
        : throw new InvalidOperationException($"{name} is a number of milliseconds, not '{text}'.");
}
