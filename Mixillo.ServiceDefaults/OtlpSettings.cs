using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Mixillo.ServiceDefaults;

/// <summary>
/// Whether telemetry is exported, from the standard OpenTelemetry variables (read through configuration, so
/// appsettings and command-line arguments can set them too; the exporter reads them the same way):
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the default and what the
/// Aspire dashboard takes, or <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>,
/// <c>OTEL_EXPORTER_OTLP_TIMEOUT</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> and <c>OTEL_BSP_SCHEDULE_DELAY</c> (milliseconds). The exporter would ignore
/// a malformed value and export somewhere else or not at all; here it stops the start with the variable's name.
/// </summary>
internal sealed record OtlpSettings(string ServiceName)
{
    public const string TimeoutVariable = "OTEL_EXPORTER_OTLP_TIMEOUT";

    /// <summary>Shorter than the standard 10 s: an orchestrator kills a service a few seconds after SIGTERM.</summary>
    public const int DefaultTimeoutMs = 2_000;

    private static readonly string[] Milliseconds = [TimeoutVariable, "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_BSP_SCHEDULE_DELAY"];

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

        if (configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol && protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{protocol}'.");
        }

        foreach (var name in Milliseconds)
        {
            if (configuration[name] is { Length: > 0 } text && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0))
            {
                throw new InvalidOperationException($"{name} is a number of milliseconds, not '{text}'.");
            }
        }

        return new OtlpSettings(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } service ? service : applicationName);
    }
}
