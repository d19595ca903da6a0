using Mixillo.Jobs.Store;

namespace Mixillo.Tests;

/// <summary>
/// Not used by the test runner. <c>dotnet Mixillo.Tests.dll hold-lease sqlite|postgres CONNECTION</c> claims one
/// job, prints <c>claimed JOBID TOKEN</c>, then heartbeats until killed: a worker that the crash tests SIGKILL.
/// <c>slow-publish</c> runs a worker whose publish crawls (<see cref="Worker.SlowPublishWorker"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [Worker.SlowPublishWorker.Verb])
        {
            return await Worker.SlowPublishWorker.RunAsync();
        }

        if (args is not ["hold-lease", var provider, var connectionString])
        {
            await Console.Error.WriteLineAsync($"usage: Mixillo.Tests hold-lease sqlite|postgres CONNECTION | Mixillo.Tests {Worker.SlowPublishWorker.Verb}");
            return 2;
        }

        var options = new QueueOptions { StartRateLimit = 0 };
        await using var store = JobStores.Create(provider, connectionString, options, TimeProvider.System);
        var claim = await store.ClaimAsync($"worker_crashing_{Environment.ProcessId}", "crashing", CancellationToken.None);
        if (!claim.Claimed)
        {
            await Console.Error.WriteLineAsync("nothing to claim");
            return 1;
        }

        await Console.Out.WriteLineAsync($"claimed {claim.Lease!.JobId} {claim.Lease.Token}");
        await Console.Out.FlushAsync();
        while (true)
        {
            await store.HeartbeatAsync(claim.Lease, CancellationToken.None);
            await Task.Delay(200);
        }
    }
}
