using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mixillo.ServiceDefaults;

/// <summary>
/// OpenTelemetry without its hosting package: the tracer and meter providers are singletons built when the host
/// starts and disposed (flushing what is buffered) when it stops; logs go through the logging builder.
/// </summary>
internal static class Telemetry
{
    /// <summary>What ASP.NET Core, HttpClient and Npgsql publish themselves, and Mixillo's own sources.</summary>
    public static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "Mixillo.*"];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Runtime",
        "Npgsql",
        "Mixillo.*",
    ];

    public static void Add(IHostApplicationBuilder builder, OtlpSettings otlp)
    {
        var resource = ResourceBuilder.CreateDefault()
            .AddService(otlp.ServiceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}");

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
            logging.AddOtlpExporter(o => otlp.Apply(o, "logs"));
        });

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .SetSampler(new ParentBasedSampler(new OperationSampler()))
            .AddSource(Sources)
            .AddOtlpExporter(o => otlp.Apply(o, "traces"))
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(Meters)
            .AddOtlpExporter((o, reader) =>
            {
                otlp.Apply(o, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.MetricIntervalMs;
            })
            .Build());
        builder.Services.AddHostedService<TelemetryLifetime>();
        builder.Services.AddTransient<IStartupFilter, TraceEnrichment>();
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

    /// <summary>Builds the providers before any other hosted service starts; the container disposes them at stop.</summary>
    private sealed class TelemetryLifetime(IServiceProvider services) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<TracerProvider>();
            services.GetRequiredService<MeterProvider>();
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
