using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Worker.Core;
using Mixillo.Worker.Hosting;

namespace Mixillo.Tests.Worker;

/// <summary>
/// <c>dotnet Mixillo.Tests.dll slow-publish</c>: a worker host on the configuration in the environment whose publish
/// crawls (each copy into videos/ takes a tenth of a second) and which prints <c>publishing</c> once the first file is
/// in view: a worker that the crash tests SIGKILL in the middle of a publish.
/// </summary>
internal static class SlowPublishWorker
{
    public const string Verb = "slow-publish";

    public static async Task<int> RunAsync()
    {
        // No defaults: no console logging, so standard output carries nothing but the announcement.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables();
        builder.Services.AddMixilloCore().AddMixilloWorker();
        builder.Services.AddSingleton<IObjectStorage>(sp => new SlowPublishStorage(ObjectStorages.Create(sp.GetRequiredService<StorageOptions>())));
        await builder.Build().RunAsync();
        return 0;
    }

    private sealed class SlowPublishStorage(IObjectStorage inner) : StorageDecorator(inner)
    {
        private int _announced;

        public override async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken)
        {
            await base.CopyAsync(sourceKey, targetKey, cancellationToken);
            if (targetKey.StartsWith(OutputKeys.PublishedRoot, StringComparison.Ordinal))
            {
                if (Interlocked.Exchange(ref _announced, 1) == 0)
                {
                    await Console.Out.WriteLineAsync("publishing");
                    await Console.Out.FlushAsync(cancellationToken);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }
}
