using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Worker.Health;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;

namespace Mixillo.Worker.Hosting;

public static class WorkerExtensions
{
    public const string ConnectionStringName = "mixillo";
    public const string DefaultConnectionString = "Data Source=data/mixillo.db";

    /// <summary>A check that has not answered by then counts as failed: a hung dependency must not hang /health.</summary>
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The job store, object storage and media engine of the configuration (<c>Store</c>, <c>ConnectionStrings</c>,
    /// <c>Storage</c>, <c>Queue</c>, <c>Media</c>); every section validated before anything starts. The schema is
    /// migrated and the bucket ensured at start (<see cref="MigrationService"/>). Their health
    /// checks (store, storage, ffmpeg) come with them.
    /// </summary>
    public static IServiceCollection AddMixilloCore(this IServiceCollection services, IConfiguration configuration)
    {
        var queue = Bind<QueueOptions>(configuration, QueueOptions.Section);
        queue.Validate();
        var media = Bind<MediaOptions>(configuration, MediaOptions.Section);
        media.Validate();
        var storage = Bind<StorageOptions>(configuration, StorageOptions.Section);
        var provider = configuration["Store:Provider"] ?? JobStores.Sqlite;
        var connectionString = configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString;

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(queue);
        services.AddSingleton(media);
        services.AddSingleton(storage);
        services.AddSingleton(sp => JobStores.Create(provider, connectionString, queue, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => ObjectStorages.Create(storage));
        services.AddSingleton(sp => new MediaEngine(media, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MigrationService>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationService>());
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", timeout: HealthTimeout)
            .AddCheck<StorageHealthCheck>("storage", timeout: HealthTimeout)
            .AddCheck<FfmpegHealthCheck>("ffmpeg", timeout: HealthTimeout);
        return services;
    }

    /// <summary>The worker: claims stages and runs them (also hosted inside the API in the embedded mode).</summary>
    public static IServiceCollection AddMixilloWorker(this IServiceCollection services, IConfiguration configuration)
    {
        var worker = Bind<WorkerOptions>(configuration, WorkerOptions.Section);
        worker.Validate();
        services.AddSingleton(worker);
        services.AddSingleton(Bind<CostOptions>(configuration, CostOptions.Section));
        services.AddSingleton(WorkerIdentity.Current);
        services.AddSingleton<StageRunner>();
        services.AddSingleton<WorkerPulse>();
        services.AddSingleton<StagingSweeper>();
        services.AddHostedService<WorkerService>();
        services.AddHealthChecks().AddCheck<WorkerHealthCheck>("worker", timeout: HealthTimeout);
        // Running stages get their grace, then a little more to release their jobs.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = worker.ShutdownGrace + TimeSpan.FromSeconds(15));
        return services;
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new() => configuration.GetSection(section).Get<T>() ?? new T();
}
