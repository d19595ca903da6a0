using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixillo.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Host wiring shared by the API and the worker host, in the shape of Aspire's ServiceDefaults: OpenTelemetry
/// logs, traces and metrics exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and health checks
/// behind <c>/health</c> (ready: every check) and <c>/alive</c> (live: the process answers).
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Checks tagged live run behind <c>/alive</c>; every check runs behind <c>/health</c>.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// Nothing is collected without an endpoint. With one: the sources and meters of ASP.NET Core, HttpClient, the
    /// runtime, Npgsql and Mixillo; server spans named by route; health probes left out of traces.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        if (OtlpSettings.From(builder.Configuration, builder.Environment.ApplicationName) is { } otlp)
        {
            Telemetry.Add(builder, otlp);
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Health endpoints in every environment, open to anonymous callers: they answer Healthy, Degraded or Unhealthy
    /// (503) and nothing more. Which check failed, and why, goes to the log.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponses.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = HealthResponses.WriteAsync })
            .AllowAnonymous();
        return app;
    }

    internal static bool IsHealthPath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(HealthEndpointPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(AlivenessEndpointPath, StringComparison.OrdinalIgnoreCase);
}
