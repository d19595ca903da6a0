using Microsoft.Extensions.Configuration;

namespace Mixillo.AppHost;

/// <summary>
/// The API and the workers on the servers: PostgreSQL store, the shared object storage, telemetry to the
/// dashboard (Aspire sets the OTLP variables and each replica's <c>service.instance.id</c>), health on
/// <c>/health</c>. Published, each becomes an image from its Dockerfile (built from the repository root) that
/// carries ffmpeg.
/// </summary>
internal static class MixilloResources
{
    /// <summary>Not the embedded default's 5080, so both can run side by side.</summary>
    public const int DefaultApiPort = 5180;

    public const int DefaultWorkers = 2;

    /// <summary>
    /// Locally DCP sends SIGTERM and kills what remains about 6 s later: a running stage gets this long, then its
    /// job is released to the queue (never failed) with time to spare.
    /// </summary>
    public const string LocalShutdownGrace = "00:00:03";

    /// <summary>Deployed, inside Container Apps' default termination grace of 30 s (the worker's own default is 30 s).</summary>
    public const string DeployedShutdownGrace = "00:00:20";

    public static IResourceBuilder<ProjectResource> AddMixilloApi(this IDistributedApplicationBuilder builder, Servers servers)
    {
        var api = builder.AddProject<Projects.Mixillo_Api>("api", launchProfileName: null)
            .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? builder.Configuration.GetValue("Mixillo:ApiPort", DefaultApiPort) : null, name: "http")
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Worker__InProcess", "false")
            .WithReference(servers.Redis, "redis")
            .WaitFor(servers.Redis)
            .PublishAsDockerFile(image => image.WithDockerfile("..", "Mixillo.Api/Dockerfile"));
        if (builder.ExecutionContext.IsRunMode)
        {
            // Locally the API trusts the development signing key, so the README's `token` command works as is.
            api.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
        }
        else
        {
            var signingKey = builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);
            api.WithEnvironment("Auth__SigningKey", signingKey);
        }

        return api.UseServers(servers);
    }

    public static IResourceBuilder<ProjectResource> AddMixilloWorkers(this IDistributedApplicationBuilder builder, Servers servers)
    {
        var workers = builder.AddProject<Projects.Mixillo_Worker>("worker", launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithReplicas(builder.Configuration.GetValue("Mixillo:Workers", DefaultWorkers))
            .WithEnvironment("Worker__ShutdownGrace", builder.ExecutionContext.IsRunMode ? LocalShutdownGrace : DeployedShutdownGrace)
            // Each worker announces the job events it commits on Redis, so every API instance's streams hear at once.
            .WithReference(servers.Redis, "redis")
            .WaitFor(servers.Redis)
            .PublishAsDockerFile(image => image.WithDockerfile("..", "Mixillo.Worker/Dockerfile"));
        return workers.UseServers(servers);
    }

    private static IResourceBuilder<ProjectResource> UseServers(this IResourceBuilder<ProjectResource> service, Servers servers)
    {
        if (service.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            // The dashboard is on this machine: an export that takes longer than this will not finish, and the
            // three signals' last flushes must fit in DCP's few seconds after SIGTERM.
            service.WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        }

        service
            .WithEnvironment("Store__Provider", "postgres")
            .WithReference(servers.Database, "mixillo")
            .WaitFor(servers.Database);
        servers.UseStorage(service);
        return service;
    }
}
