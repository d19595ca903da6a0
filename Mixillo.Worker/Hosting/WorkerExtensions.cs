using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Worker.Core;
using Mixillo.Worker.Health;
using Mixillo.Worker.Pipeline;

namespace Mixillo.Worker.Hosting;

public static class WorkerExtensions
{
    /// <summary>The worker: claims stages and runs them (also hosted inside the API in the embedded mode).</summary>
    public static IServiceCollection AddMixilloWorker(this IServiceCollection services)
    {
        services.AddSettings<WorkerOptions>(WorkerOptions.Section, o => o.Validate());
        services.AddSettings<CostOptions>(CostOptions.Section, o => o.Validate());
        services.AddSingleton(WorkerIdentity.Current);
        services.AddSingleton<StageStorage>();
        services.AddSingleton<StageWatchdog>();
        services.AddSingleton<IStage, FetchStage>();
        services.AddSingleton<IStage, ProcessStage>();
        services.AddSingleton<IStage, PublishStage>();
        services.AddSingleton<StageExecutor>();
        services.AddSingleton<WorkerPulse>();
        services.AddSingleton<StagingSweeper>();
        services.AddHostedService<WorkerService>();
        services.AddHealthChecks().AddCheck<WorkerHealthCheck>("worker", timeout: CoreExtensions.HealthTimeout);
        services.AddSpaceFloors(SpaceFloors.Stages, sp => (sp.GetRequiredService<WorkerOptions>().ScratchRoot, sp.GetRequiredService<WorkerOptions>().MinFreeBytes));
        // Running stages get their grace, then a little more to release their jobs.
        services.AddOptions<HostOptions>().Configure<WorkerOptions>((host, worker) => host.ShutdownTimeout = worker.ShutdownGrace + TimeSpan.FromSeconds(15));
        return services;
    }
}
