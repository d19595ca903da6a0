using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Worker.Health;

namespace Mixillo.Worker.Core;

/// <summary>What every Mixillo process registers, the API's included: the store, storage and engine, and disk floors.</summary>
public static class CoreExtensions
{
    public const string ConnectionStringName = "mixillo";
    public const string DefaultConnectionString = "Data Source=data/mixillo.db";

    /// <summary>A check that has not answered by then counts as failed: a hung dependency must not hang /health.</summary>
    internal static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The job store, object storage and media engine of the configuration (<c>Store</c>, <c>ConnectionStrings</c>,
    /// <c>Storage</c>, <c>Queue</c>, <c>Media</c>); every section is checked when the host starts, so a wrong value
    /// stops it with the key's name. The schema is migrated and the bucket ensured at start
    /// (<see cref="MigrationService"/>). Their health checks (store, storage, ffmpeg) come with them.
    /// </summary>
    public static IServiceCollection AddMixilloCore(this IServiceCollection services)
    {
        services.AddSettings<StoreOptions>(StoreOptions.Section, o => o.Validate());
        services.AddSettings<QueueOptions>(QueueOptions.Section, o => o.Validate());
        services.AddSettings<MediaOptions>(MediaOptions.Section, o => o.Validate());
        services.AddSettings<StorageOptions>(StorageOptions.Section, o => o.Validate());

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => JobStores.Create(
            sp.GetRequiredService<StoreOptions>().Provider,
            sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName) ?? DefaultConnectionString,
            sp.GetRequiredService<QueueOptions>(),
            sp.GetRequiredService<TimeProvider>()));
        // One store, seen by each user through the part it needs: the queue's commands, the reads, the schema, upload
        // completions, and the job events.
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<IJobStore>());
        services.AddSingleton<IJobQueries>(sp => sp.GetRequiredService<IJobStore>());
        services.AddSingleton<ISchemaMigrator>(sp => sp.GetRequiredService<IJobStore>());
        services.AddSingleton<IUploadCompletions>(sp => sp.GetRequiredService<IJobStore>());
        services.AddSingleton(sp => (IJobEvents)sp.GetRequiredService<IJobStore>());
        services.AddSingleton(sp => ObjectStorages.Create(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton(sp => new MediaEngine(sp.GetRequiredService<MediaOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MigrationService>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationService>());
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", timeout: HealthTimeout)
            .AddCheck<StorageHealthCheck>("storage", timeout: HealthTimeout)
            .AddCheck<FfmpegHealthCheck>("ffmpeg", timeout: HealthTimeout);
        return services;
    }

    /// <summary>
    /// The floors of <paramref name="work"/>: its own scratch folder, and the storage folder when storage is a
    /// folder. The free-space health check comes with the first kind.
    /// </summary>
    public static IServiceCollection AddSpaceFloors(this IServiceCollection services, string work, Func<IServiceProvider, (string Scratch, long MinFreeBytes)> own)
    {
        if (!services.Any(s => s.ServiceType == typeof(SpaceFloors)))
        {
            services.AddHealthChecks().AddCheck<FreeSpaceHealthCheck>("free-space", timeout: HealthTimeout);
        }

        services.AddSingleton(sp =>
        {
            var (scratch, minFree) = own(sp);
            var storage = sp.GetRequiredService<StorageOptions>();
            return new SpaceFloors(work, storage.Provider.Trim().Equals(StorageOptions.FileSystem, StringComparison.OrdinalIgnoreCase)
                ? [new SpaceFloor($"{work} scratch", scratch, minFree), new SpaceFloor("storage", storage.Root, minFree)]
                : [new SpaceFloor($"{work} scratch", scratch, minFree)]);
        });
        return services;
    }
}
