namespace Mixillo.AppHost;

/// <summary>
/// The servers as containers, where a container runtime answers and in every published manifest: Aspire's
/// PostgreSQL (with a data volume and the <c>mixillo</c> database) and Redis, and MinIO for object storage
/// (there is no Aspire MinIO integration: a plain container with its S3 endpoint, credentials as parameters and a
/// health check on its live endpoint). Secrets are parameters: a manifest holds placeholders, never values.
/// </summary>
internal static class ContainerServers
{
    /// <summary>A MinIO release pinned so that a deployment is repeatable.</summary>
    private const string MinioImage = "minio/minio";
    private const string MinioTag = "RELEASE.2025-04-22T22-12-26Z";

    public static Servers Add(IDistributedApplicationBuilder builder)
    {
        var database = builder.AddPostgres("postgres").WithDataVolume().AddDatabase("mixillo");
        var redis = builder.AddRedis("redis");

        var minioUser = builder.AddParameter("minio-user", "mixillo");
        var minioPassword = builder.AddParameter("minio-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
        var minio = builder.AddContainer("minio", MinioImage, MinioTag)
            .WithArgs("server", "/data")
            .WithEnvironment("MINIO_ROOT_USER", minioUser)
            .WithEnvironment("MINIO_ROOT_PASSWORD", minioPassword)
            .WithHttpEndpoint(targetPort: 9000, name: "s3")
            .WithHttpHealthCheck("/minio/health/live", endpointName: "s3")
            .WithVolume("mixillo-minio", "/data");

        return new Servers(database, redis, service => service
            .WithEnvironment("Storage__Provider", "s3")
            .WithEnvironment("Storage__S3__ServiceUrl", minio.GetEndpoint("s3"))
            .WithEnvironment("Storage__S3__AccessKey", minioUser)
            .WithEnvironment("Storage__S3__SecretKey", minioPassword)
            .WaitFor(minio));
    }
}
