using System.Diagnostics;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Stores;

/// <summary>Real processes, real signals: a worker holding a lease dies and its job is finished by another.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresFixture postgres) : IDisposable
{
    private static readonly QueueOptions Options = new() { StuckAfter = TimeSpan.FromSeconds(1), HeartbeatInterval = TimeSpan.FromMilliseconds(200), StartRateLimit = 0 };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_killed_worker_on_sqlite_loses_its_job_to_another_claimer() =>
        await KilledWorkerLosesItsJob("sqlite", $"Data Source={_folder.File("jobs.db")}");

    [Fact]
    public async Task A_killed_worker_on_postgres_loses_its_job_to_another_claimer() =>
        await KilledWorkerLosesItsJob("postgres", await postgres.NewSchemaAsync());

    private static async Task KilledWorkerLosesItsJob(string provider, string connectionString)
    {
        await using var store = JobStores.Create(provider, connectionString, Options, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        var job = await store.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);

        using var worker = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Mixillo.Tests.dll"), "hold-lease", provider, connectionString]);
        var line = await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException(await worker.StandardError.ReadToEndAsync());
        var parts = line.Split(' ');
        Assert.Equal(["claimed", job.JobId], parts[..2]);
        var deadLease = new JobLease(job.JobId, $"worker_crashing_{worker.Id}", long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));

        // Alive and heartbeating: not stuck, however long we wait.
        await Task.Delay(Options.StuckAfter * 2);
        Assert.Empty(await store.RecoverStuckAsync(CancellationToken.None));
        Assert.Equal(deadLease.WorkerId, (await store.GetAsync(job.JobId, CancellationToken.None))!.Worker!.WorkerId);

        ChildProcess.Signal(worker.Id, "KILL");
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var recovered = Array.Empty<TranscodeJob>();
        var clock = Stopwatch.StartNew();
        while (recovered.Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200);
            recovered = [.. await store.RecoverStuckAsync(CancellationToken.None)];
        }

        var requeued = Assert.Single(recovered);
        Assert.Equal(JobStatus.Queued, requeued.Status);
        Assert.Equal("worker_lost", requeued.Errors.Single().Code);

        await Task.Delay(Backoff.Delay(0, 1));
        var claim = await store.ClaimAsync("worker_survivor", "host", CancellationToken.None);
        Assert.Equal(job.JobId, claim.Job?.JobId);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.UpdateAsync(deadLease, (j, now) => j.Complete(now), CancellationToken.None));
        await store.UpdateAsync(claim.Lease!, (j, now) => j.Complete(now), CancellationToken.None);

        var done = (await store.GetAsync(job.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(("worker_survivor", 1), (done.Worker!.WorkerId, done.RetryCount));
    }
}
