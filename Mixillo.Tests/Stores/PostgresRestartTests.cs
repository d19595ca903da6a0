using System.Collections.Concurrent;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.TestServers;

namespace Mixillo.Tests.Stores;

/// <summary>A server restart under live claimers: a server of its own, so no other test sees it go.</summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task Claim_loops_survive_a_postgres_restart_and_every_job_completes_once()
    {
        const int jobs = 60;
        await using var server = await PostgresServer.StartAsync();
        var options = new QueueOptions { StuckAfter = TimeSpan.FromSeconds(2), HeartbeatInterval = TimeSpan.FromMilliseconds(500), StartRateLimit = 0 };
        await using var setup = new PostgresJobStore(server.ConnectionString(), options, TimeProvider.System);
        await setup.InitializeAsync(CancellationToken.None);
        for (var i = 0; i < jobs; i++)
        {
            await setup.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);
        }

        var completions = new ConcurrentBag<string>();
        var transientErrors = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var loops = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            await using var store = new PostgresJobStore(server.ConnectionString(), options, TimeProvider.System);
            while (completions.Count < jobs && !stop.IsCancellationRequested)
            {
                try
                {
                    await store.RecoverStuckAsync(stop.Token);
                    var claim = await store.ClaimAsync($"worker_{i}", "host", stop.Token);
                    if (!claim.Claimed)
                    {
                        await store.WaitForWorkAsync(TimeSpan.FromMilliseconds(300), stop.Token);
                        continue;
                    }

                    await Task.Delay(30, stop.Token);
                    await store.UpdateAsync(claim.Lease!, (j, now) => j.Complete(now), stop.Token);
                    completions.Add(claim.Job!.JobId);
                }
                catch (Exception ex) when (StoreErrors.IsTransient(ex))
                {
                    Interlocked.Increment(ref transientErrors);
                    await Task.Delay(200, stop.Token);
                }
                catch (LeaseLostException)
                {
                    // The job was recovered while the server was away; someone else will finish it.
                }
            }
        })).ToList();

        while (completions.Count < jobs / 3)
        {
            await Task.Delay(20);
        }

        await server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await server.StartAgainAsync();
        await Task.WhenAll(loops);

        Assert.True(transientErrors > 0, "the restart never reached the claim loops");
        Assert.Equal(jobs, completions.Count);
        Assert.Equal(jobs, completions.Distinct().Count());
        var counts = await setup.CountAsync(CancellationToken.None);
        Assert.Equal(jobs, counts.Completed);
        Assert.Equal(jobs, counts.Total);
    }
}
