using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.TestServers;
using Npgsql;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>queue</c>: how fast the job queue turns over and how soon an idle worker sees new work, on both stores.
/// (1) Drains: 1, 4 and 16 claimers, each its own store instance as separate workers would be, claim and complete
/// pre-enqueued jobs until none is left; cycles per second over the whole drain. (2) Latency: one idle claimer
/// parked in WaitForWorkAsync while a producer (another instance) enqueues one job at a time; enqueue-to-claim
/// time per job. Every run gets a fresh database (a new SQLite file, a new PostgreSQL schema) so no run pays for
/// the dead rows, or inherits the pending wake-ups, of the one before.
/// </summary>
internal static class QueueBenchmark
{
    public const string Synopsis = "queue [--jobs 2000] [--seconds 10]";

    private const double TargetCyclesPerSecond = 500;
    private const int TargetClaimers = 4;
    private const double TargetP99Ms = 50;
    private const int WarmupCycles = 5;
    private const int WarmupSamples = 10;
    private const int MinGapMs = 20;
    private const int MaxGapMs = 50;
    private const int EnqueueParallelism = 4;
    private const string Hostname = "bench";
    private static readonly int[] ClaimerCounts = [1, TargetClaimers, 16];

    // What a worker's claim loop passes; a wait that lasts this long means no wake-up came.
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("mixillo-queue-").FullName;
        PostgresServer? server = null;
        try
        {
            await stdout.WriteLineAsync(Invariant($"queue benchmark: {settings.Jobs} jobs per drain, claimers {string.Join('/', ClaimerCounts)}, latency for {settings.Seconds} s, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
            var drains = new List<Drain>();
            var latencies = new List<Latency>();

            var sqlite = new Backend("SQLite", (run, _) => Task.FromResult<Func<IJobStore>>(
                () => new SqliteJobStore("Data Source=" + Path.Combine(root, run + ".db"), Unlimited(), TimeProvider.System)));
            await MeasureAsync(sqlite, settings, drains, latencies, stdout, cancellationToken);

            var started = Stopwatch.StartNew();
            server = await PostgresServer.StartAsync(cancellationToken);
            await stdout.WriteLineAsync(Invariant($"PostgreSQL started on port {server.Port} in {started.Elapsed.TotalSeconds:0.0} s"));
            var postgres = new Backend("PostgreSQL", (run, ct) => FreshSchemaAsync(server, run, ct));
            await MeasureAsync(postgres, settings, drains, latencies, stdout, cancellationToken);

            await stdout.WriteLineAsync(Invariant($"load average at the end {Machine.LoadAverage()}"));
            await stdout.WriteLineAsync();
            await stdout.WriteAsync(Summary(drains, latencies, settings));
            return 0;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task MeasureAsync(Backend backend, Settings settings, List<Drain> drains, List<Latency> latencies, TextWriter stdout, CancellationToken cancellationToken)
    {
        foreach (var claimers in ClaimerCounts)
        {
            var drain = await DrainAsync(backend, claimers, settings.Jobs, cancellationToken);
            drains.Add(drain);
            await stdout.WriteLineAsync(Invariant(
                $"{backend.Name,-10}  drain  {claimers,2} claimers  {drain.Cycles} cycles in {drain.Seconds,6:0.00} s  {drain.PerSecond,7:0.0} cycles/s  (per cycle: claim {drain.ClaimMs:0.00} ms, complete {drain.CompleteMs:0.00} ms; enqueue {drain.EnqueueSeconds:0.0} s)"));
        }

        var latency = await LatencyAsync(backend, settings.Seconds, cancellationToken);
        latencies.Add(latency);
        await stdout.WriteLineAsync(Invariant(
            $"{backend.Name,-10}  latency  {latency.Samples} samples  p50 {latency.P50:0.00} ms  p99 {latency.P99:0.00} ms  max {latency.Max:0.00} ms  (waits {latency.Waits}, of which timed out {latency.TimedOut}; empty claims {latency.EmptyClaims}; unclaimed {latency.Unclaimed})"));
    }

    /// <summary>
    /// Enqueues the jobs, lets every claimer do a few warm-up cycles (connections opened, code jitted), then times
    /// the drain of the rest from the start until the last claimer finds the queue empty.
    /// </summary>
    private static async Task<Drain> DrainAsync(Backend backend, int claimers, int jobs, CancellationToken cancellationToken)
    {
        var create = await backend.FreshAsync(Invariant($"drain_{claimers}"), cancellationToken);
        var stores = new List<IJobStore>();
        try
        {
            var producer = create();
            stores.Add(producer);
            await producer.InitializeAsync(cancellationToken);
            var enqueue = Stopwatch.StartNew();
            await EnqueueAsync(producer, jobs + (claimers * WarmupCycles), cancellationToken);
            var enqueueSeconds = enqueue.Elapsed.TotalSeconds;

            var workers = new List<(IJobStore Store, string WorkerId)>();
            for (var i = 1; i <= claimers; i++)
            {
                var store = create();
                stores.Add(store);
                workers.Add((store, Invariant($"worker_bench_{i}")));
            }

            await Task.WhenAll(workers.Select(w => Task.Run(() => CycleAsync(w.Store, w.WorkerId, WarmupCycles, cancellationToken), cancellationToken)));
            var clock = Stopwatch.StartNew();
            var counts = await Task.WhenAll(workers.Select(w => Task.Run(() => CycleAsync(w.Store, w.WorkerId, int.MaxValue, cancellationToken), cancellationToken)));
            var seconds = clock.Elapsed.TotalSeconds;

            var cycles = counts.Sum(c => c.Cycles);
            var left = await producer.CountAsync(cancellationToken);
            if (cycles != jobs || left.Waiting != 0 || left.Active != 0)
            {
                throw new InvalidOperationException(Invariant($"{backend.Name}, {claimers} claimers: {cycles} cycles for {jobs} jobs; {left.Waiting} still queued, {left.Active} processing."));
            }

            var claimMs = counts.Sum(c => c.Claim.TotalMilliseconds) / cycles;
            var completeMs = counts.Sum(c => c.Complete.TotalMilliseconds) / cycles;
            return new Drain(backend.Name, claimers, cycles, seconds, claimMs, completeMs, enqueueSeconds);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    private static Task EnqueueAsync(IJobStore store, int count, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
            async (_, ct) => await store.CreateAsync(NewJob(), queue: true, ct));

    /// <summary>One worker's claim -> complete loop, up to <paramref name="limit"/> cycles or until nothing is claimable.</summary>
    private static async Task<(int Cycles, TimeSpan Claim, TimeSpan Complete)> CycleAsync(IJobStore store, string workerId, int limit, CancellationToken cancellationToken)
    {
        var (cycles, claim, complete) = (0, TimeSpan.Zero, TimeSpan.Zero);
        while (cycles < limit)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await store.ClaimAsync(workerId, Hostname, cancellationToken);
            var claimed = Stopwatch.GetTimestamp();
            if (!result.Claimed)
            {
                // With no rate limit and no delayed jobs, "try later" would mean the drain measures something else.
                return result.RetryAfter is null ? (cycles, claim, complete) : throw new InvalidOperationException($"Claim asked to retry after {result.RetryAfter}.");
            }

            await store.UpdateAsync(result.Lease!, static (job, now) => job.Complete(now), cancellationToken);
            claim += Stopwatch.GetElapsedTime(start, claimed);
            complete += Stopwatch.GetElapsedTime(claimed);
            cycles++;
        }

        return (cycles, claim, complete);
    }

    /// <summary>
    /// A producer enqueues one job every 20-50 ms (random) while one claimer loops ClaimAsync, and when nothing
    /// is claimable, WaitForWorkAsync. Latency runs from just before CreateAsync is called to ClaimAsync's return
    /// of that job. A lost wake-up shows as about the idle wait (5 s), when the claimer polls again.
    /// </summary>
    private static async Task<Latency> LatencyAsync(Backend backend, double seconds, CancellationToken cancellationToken)
    {
        var create = await backend.FreshAsync("latency", cancellationToken);
        await using var producer = create();
        await producer.InitializeAsync(cancellationToken);
        await using var claimerStore = create();
        var claimer = new IdleClaimer(claimerStore);
        var total = WarmupSamples + (int)(seconds * 1000 / ((MinGapMs + MaxGapMs) / 2.0));
        var enqueued = new List<(string JobId, long Before)>(total);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var claiming = Task.Run(() => claimer.RunAsync(stop.Token), CancellationToken.None);
        try
        {
            for (var i = 0; i < total; i++)
            {
                await Task.Delay(Random.Shared.Next(MinGapMs, MaxGapMs + 1), cancellationToken);
                var before = Stopwatch.GetTimestamp();
                var job = await producer.CreateAsync(NewJob(), queue: true, cancellationToken);
                enqueued.Add((job.JobId, before));
            }

            var deadline = Stopwatch.StartNew();
            while (claimer.Claimed.Count < total && deadline.Elapsed < 2 * IdleWait && !claiming.IsCompleted)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await claiming;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The claimer is stopped by cancellation.
            }
        }

        var measured = enqueued.Skip(WarmupSamples).ToList();
        var ms = measured
            .Where(e => claimer.Claimed.ContainsKey(e.JobId))
            .Select(e => Stopwatch.GetElapsedTime(e.Before, claimer.Claimed[e.JobId]).TotalMilliseconds)
            .Order()
            .ToArray();
        return new Latency(backend.Name, ms.Length, Percentile(ms, 0.50), Percentile(ms, 0.99), ms.Length == 0 ? double.NaN : ms[^1],
            claimer.Waits, claimer.TimedOut, claimer.EmptyClaims, measured.Count - ms.Length);
    }

    /// <summary>A new empty schema per run: a fresh table and index, as a fresh SQLite file is.</summary>
    private static async Task<Func<IJobStore>> FreshSchemaAsync(PostgresServer server, string run, CancellationToken cancellationToken)
    {
        await using (var connection = new NpgsqlConnection(server.ConnectionString()))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("CREATE SCHEMA " + run, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = server.ConnectionString(schema: run);
        return () => new PostgresJobStore(connectionString, Unlimited(), TimeProvider.System);
    }

    // The default start rate limit (10 jobs/s) would be all a drain measures.
    private static QueueOptions Unlimited() => new() { StartRateLimit = 0 };

    private static NewJob NewJob() => new()
    {
        ContentId = "bench_" + Guid.NewGuid().ToString("N")[..12],
        UserId = "user_bench",
        Source = new SourceFile { Key = "uploads/clip.mp4", OriginalName = "clip.mp4", SizeBytes = 1234, MimeType = "video/mp4" },
    };

    /// <summary>Nearest rank, on sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];


    private static string Summary(List<Drain> drains, List<Latency> latencies, Settings settings)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Drains of {settings.Jobs} pre-enqueued jobs (after {WarmupCycles} warm-up cycles per claimer); each claimer its own store instance."));
        text.AppendLine();
        text.AppendLine("| store | claimers | cycles/s | drain s | claim ms | complete ms | target | result |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var d in drains)
        {
            var targeted = d.Store == "PostgreSQL" && d.Claimers == TargetClaimers;
            var (target, result) = targeted ? (Invariant($">= {TargetCyclesPerSecond:0}"), d.PerSecond >= TargetCyclesPerSecond ? "PASS" : "MISS") : ("", "");
            text.AppendLine(Invariant($"| {d.Store} | {d.Claimers} | {d.PerSecond:0.0} | {d.Seconds:0.00} | {d.ClaimMs:0.00} | {d.CompleteMs:0.00} | {target} | {result} |"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"Enqueue-to-claim with one idle claimer, one job every {MinGapMs}-{MaxGapMs} ms, {WarmupSamples} warm-up jobs not counted."));
        text.AppendLine();
        text.AppendLine("| store | samples | p50 ms | p99 ms | max ms | waits timed out | target (p99) | result |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var l in latencies)
        {
            var (target, result) = l.Store == "PostgreSQL" ? (Invariant($"<= {TargetP99Ms:0} ms"), l.P99 <= TargetP99Ms && l.Unclaimed == 0 ? "PASS" : "MISS") : ("", "");
            text.AppendLine(Invariant($"| {l.Store} | {l.Samples} | {l.P50:0.00} | {l.P99:0.00} | {l.Max:0.00} | {l.TimedOut} | {target} | {result} |"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A store kind: a fresh, empty database for a named run, and a factory of store instances on it.</summary>
    private sealed record Backend(string Name, Func<string, CancellationToken, Task<Func<IJobStore>>> FreshAsync);

    private sealed record Drain(string Store, int Claimers, int Cycles, double Seconds, double ClaimMs, double CompleteMs, double EnqueueSeconds)
    {
        public double PerSecond => Cycles / Seconds;
    }

    private sealed record Latency(string Store, int Samples, double P50, double P99, double Max, int Waits, int TimedOut, int EmptyClaims, int Unclaimed);

    /// <summary>A worker's idle loop: claim; if nothing, wait for a wake-up (or the idle wait); stamps each claim.</summary>
    private sealed class IdleClaimer(IJobStore store)
    {
        public ConcurrentDictionary<string, long> Claimed { get; } = new(StringComparer.Ordinal);

        public int Waits { get; private set; }

        public int TimedOut { get; private set; }

        public int EmptyClaims { get; private set; }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await store.ClaimAsync("worker_bench_idle", Hostname, cancellationToken);
                if (result.Claimed)
                {
                    Claimed[result.Job!.JobId] = Stopwatch.GetTimestamp();
                    await store.UpdateAsync(result.Lease!, static (job, now) => job.Complete(now), cancellationToken);
                    continue;
                }

                EmptyClaims++;
                var waited = Stopwatch.GetTimestamp();
                await store.WaitForWorkAsync(IdleWait, cancellationToken);
                Waits++;
                if (Stopwatch.GetElapsedTime(waited) >= IdleWait - TimeSpan.FromMilliseconds(50))
                {
                    TimedOut++;
                }
            }
        }
    }

    internal sealed record Settings(int Jobs, double Seconds)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--jobs", "--seconds");
            return new Settings(options.Int("--jobs", 2000, min: 1), options.Double("--seconds", 10, min: 1, max: 600));
        }
    }
}
