using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.Jobs.Store;
using Mixillo.ServiceDefaults;
using Mixillo.Tests.Support;
using Mixillo.Worker.Health;
using Mixillo.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Mixillo.Tests.Unit;

public class ObservabilityTests
{
    private static OtlpSettings? Settings(params (string Key, string Value)[] values) =>
        OtlpSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Build(), "Mixillo.Api");

    [Fact]
    public void Telemetry_is_off_without_an_endpoint_and_names_the_service_after_the_standard_variable()
    {
        Assert.Null(Settings());
        Assert.Null(Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "")));
        Assert.Equal("Mixillo.Api", Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"))!.ServiceName);
        Assert.Equal("api-eu", Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_SERVICE_NAME", "api-eu"))!.ServiceName);
    }

    [Theory]
    [InlineData(null, "2000")]
    [InlineData("10000", "10000")]
    public void Exports_give_up_after_two_seconds_unless_the_standard_variable_says_otherwise(string? configured, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", ["OTEL_EXPORTER_OTLP_TIMEOUT"] = configured });
        builder.AddServiceDefaults();
        Assert.Equal(expected, builder.Configuration["OTEL_EXPORTER_OTLP_TIMEOUT"]);
    }

    [Theory]
    [InlineData(null, "Mixillo.Worker", null)]
    [InlineData("service.instance.id=worker-x7k2p,deployment.environment=dev", "worker", "worker-x7k2p")]
    public void The_replica_id_an_orchestrator_sets_wins_over_the_host_and_pid_default(string? attributes, string service, string? instance)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Mixillo.Worker", EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
            ["OTEL_SERVICE_NAME"] = attributes is null ? null : service,
            ["OTEL_RESOURCE_ATTRIBUTES"] = attributes,
        });
        builder.AddServiceDefaults();
        using var host = builder.Build();

        var resource = host.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal(service, resource["service.name"]);
        Assert.Equal(instance ?? $"{Environment.MachineName}-{Environment.ProcessId}", resource["service.instance.id"]);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "soon")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")]
    public void A_bad_telemetry_variable_stops_the_start_with_its_name(string key, string value)
    {
        var values = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317", [key] = value };
        var error = Assert.Throws<InvalidOperationException>(() => Settings([.. values.Select(v => (v.Key, v.Value))]));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_check_fails_after_three_heartbeat_intervals_without_a_beat_and_recovers_at_the_next()
    {
        var clock = new ManualClock();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var pulse = new WorkerPulse(clock, new QueueOptions { HeartbeatInterval = TimeSpan.FromSeconds(10) }, new WorkerOptions(), services.GetRequiredService<IMeterFactory>());
        var check = new WorkerHealthCheck(pulse);
        async Task<HealthStatus> StatusAsync() => (await check.CheckHealthAsync(new HealthCheckContext())).Status;

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());
        pulse.Beat();
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Ffmpeg_is_found_on_path_or_as_given_and_only_if_executable()
    {
        Assert.NotNull(FfmpegHealthCheck.Find("ffmpeg"));
        Assert.Null(FfmpegHealthCheck.Find("ffmpeg-that-is-not-installed"));
        using var folder = new TempFolder();
        var plain = folder.File("ffmpeg");
        File.WriteAllText(plain, "#!/bin/sh\n");
        Assert.Null(FfmpegHealthCheck.Find(plain));
        File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal(plain, FfmpegHealthCheck.Find(plain));
    }
}
