using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mixillo.ServiceDefaults;

/// <summary>
/// OpenTelemetry the way Aspire's ServiceDefaults template wires it (the hosting package owns the providers'
/// lifetime; ASP.NET Core, HttpClient and runtime instrumentation; one OTLP exporter for every signal, configured
/// by the standard variables), plus what Mixillo needs on top: Npgsql's and Mixillo's sources and meters, Redis's
/// trace source, health probes left out of traces, no trace started by a client call outside an operation, and
/// the replica's <c>service.instance.id</c> from <c>OTEL_RESOURCE_ATTRIBUTES</c> when the orchestrator sets it.
/// </summary>
internal static class Telemetry
{
    public static readonly string[] Sources = ["Npgsql", "OpenTelemetry.Instrumentation.StackExchangeRedis", "Mixillo.*"];

    public static readonly string[] Meters = ["Npgsql", "Mixillo.*"];

    public static void Add(IHostApplicationBuilder builder, OtlpSettings otlp)
    {
        // A gone collector (the dashboard stopped first) must not hold up the exit: every export, the last flush
        // included, gives up after this long unless OTEL_EXPORTER_OTLP_TIMEOUT says otherwise.
        if (string.IsNullOrEmpty(builder.Configuration[OtlpSettings.TimeoutVariable]))
        {
            builder.Configuration[OtlpSettings.TimeoutVariable] = OtlpSettings.DefaultTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(otlp.ServiceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}")
                // Read again after AddService so that what the orchestrator sets (Aspire: each replica's id) wins.
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new OperationSampler()))
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !Microsoft.Extensions.Hosting.Extensions.IsHealthPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(Sources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Meters))
            .UseOtlpExporter();
    }

    /// <summary>
    /// Starts a trace for every operation (a request, a job stage), but not for a client call made outside one: a
    /// worker's idle queue polls and heartbeats would otherwise each be a trace of one database span.
    /// </summary>
    private sealed class OperationSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
