using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.TestServers;
using Mixillo.Worker.Redis;
using StackExchange.Redis;
using static System.FormattableString;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>events</c>: latency from the transaction that commits a job event to a server-sent events client of an API
/// instance other than the committer. A throwaway PostgreSQL and redis-server; the built <c>Mixillo.Api</c> as its own
/// process (the "other instance", with Redis, no worker); this process commits (creates a queued job: one
/// <c>job.queued</c> event per commit, through <see cref="PostgresJobStore"/>, as an API instance or a worker would) and
/// reads the API's admin event stream. Two ways the other instance hears, in alternating blocks of one run: through
/// Redis (this process relays its commits as every Mixillo process does, <see cref="EventRelay"/>) and through
/// PostgreSQL's NOTIFY alone (no relay). Latency runs from the commit's return to the event's frame read by the client.
/// Then webhook throughput: a burst of events committed at once, delivered by the API to a receiver in this process,
/// against the floor of this process POSTing the same bodies to the same receiver at the API's concurrency.
/// </summary>
internal static class EventsBenchmark
{
    public const string Synopsis = "events [--events 1000] [--blocks 4] [--webhooks 2000]";

    private const double TargetP99Ms = 100;
    private const int WebhookConcurrency = 8;
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var apiDll = Path.Combine(AppContext.BaseDirectory, "Mixillo.Api.dll");
        if (!File.Exists(apiDll))
        {
            await stderr.WriteLineAsync($"{apiDll} is missing; build the benchmark project first.");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("mixillo-eventsbench-").FullName;
        await using var postgres = await PostgresServer.StartAsync(cancellationToken);
        await using var redisServer = await RedisServer.StartAsync(cancellationToken);
        ApiProcess? api = null;
        try
        {
            await stdout.WriteLineAsync(Invariant($"events benchmark: {settings.Events} events per way in {settings.Blocks} alternating blocks, one every {Spacing.TotalMilliseconds:0} ms, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
            var signingKey = RandomNumberGenerator.GetHexString(64, lowercase: true);
            var port = ChildProcess.FreePort();
            var apiFolder = Path.Combine(root, "api");
            Directory.CreateDirectory(apiFolder);
            api = ApiProcess.Start(apiDll, port, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Store__Provider"] = JobStores.Postgres,
                ["ConnectionStrings__mixillo"] = postgres.ConnectionString(),
                ["ConnectionStrings__redis"] = redisServer.ConnectionString,
                ["Storage__Provider"] = "filesystem",
                ["Storage__Root"] = Path.Combine(root, "media"),
                ["Worker__InProcess"] = "false",
                ["Auth__SigningKey"] = signingKey,
                ["Webhooks__AllowPrivateNetworks"] = "true",
                ["Webhooks__Concurrency"] = WebhookConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, apiFolder);
            var baseAddress = new Uri(Invariant($"http://127.0.0.1:{port}"));
            await api.WaitHealthyAsync(baseAddress, StartTimeout, cancellationToken);

            await using var store = new PostgresJobStore(postgres.ConnectionString(), new QueueOptions(), TimeProvider.System);
            await store.InitializeAsync(cancellationToken);
            using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.ConnectionString);
            var auth = new AuthOptions { SigningKey = signingKey };
            var admin = Tokens.Issue(auth, auth.Key(development: false), "admin_bench", AuthOptions.AdminRole, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
            using var client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var stream = await client.GetAsync("/api/transcode/events?types=job.queued", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            stream.EnsureSuccessStatusCode();
            var received = new Received(await stream.Content.ReadAsStreamAsync(cancellationToken));
            var reading = received.ReadAsync(cancellationToken);

            var latencies = new Dictionary<string, List<double>> { ["redis"] = [], ["notify"] = [] };
            var perBlock = Math.Max(1, settings.Events / settings.Blocks);
            // A warm-up block each way (JIT, pools), not counted.
            foreach (var (way, count, counted) in new[] { ("redis", 50, false), ("notify", 50, false) }
                .Concat(Enumerable.Range(0, settings.Blocks).SelectMany(_ => new[] { ("redis", perBlock, true), ("notify", perBlock, true) })))
            {
                using var relaying = new CancellationTokenSource();
                using var relay = way == "redis" ? new EventRelay(store, redis, NullLogger<EventRelay>.Instance) : null;
                if (relay is not null)
                {
                    await relay.StartAsync(cancellationToken);
                }

                for (var i = 0; i < count; i++)
                {
                    var job = await store.CreateAsync(Queued(), queue: true, cancellationToken);
                    var committed = Stopwatch.GetTimestamp();
                    var at = await received.WaitForAsync(job.JobId, TimeSpan.FromSeconds(30), cancellationToken);
                    if (counted)
                    {
                        latencies[way].Add(Stopwatch.GetElapsedTime(committed, at).TotalMilliseconds);
                    }

                    await Task.Delay(Spacing, cancellationToken);
                }

                if (relay is not null)
                {
                    await relay.StopAsync(cancellationToken);
                }
            }

            var redisP99 = Percentile(latencies["redis"], 0.99);
            foreach (var (way, values) in latencies)
            {
                await stdout.WriteLineAsync(Invariant($"{way,-7} {values.Count} events  p50 {Percentile(values, 0.5):0.0} ms  p99 {Percentile(values, 0.99):0.0} ms  max {values.Max():0.0} ms"));
            }

            await stdout.WriteLineAsync(Invariant($"p50 redis / notify: {Percentile(latencies["redis"], 0.5) / Percentile(latencies["notify"], 0.5):0.00}; p99 redis / notify: {redisP99 / Percentile(latencies["notify"], 0.99):0.00}; load average at the end {Machine.LoadAverage()}"));
            await stdout.WriteLineAsync(Invariant($"| way | events | p50 ms | p99 ms | max ms | target | result |"));
            await stdout.WriteLineAsync(Invariant($"|---|---|---|---|---|---|---|"));
            foreach (var (way, values) in latencies)
            {
                var p99 = Percentile(values, 0.99);
                await stdout.WriteLineAsync(Invariant($"| {way} | {values.Count} | {Percentile(values, 0.5):0.0} | {p99:0.0} | {values.Max():0.0} | p99 <= {TargetP99Ms:0} ms | {(p99 <= TargetP99Ms ? "met" : "missed")} |"));
            }

            await WebhooksAsync(client, store, settings.Webhooks, stdout, cancellationToken);
            return 0;
        }
        finally
        {
            if (api is not null)
            {
                await api.StopAsync(StopTimeout);
                api.Dispose();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Deliveries per second of a burst of <paramref name="count"/> events, and the direct POST floor.</summary>
    private static async Task WebhooksAsync(HttpClient admin, PostgresJobStore store, int count, TextWriter stdout, CancellationToken cancellationToken)
    {
        using var receiver = new Receiver();
        var registered = await admin.PostAsync("/api/webhooks", JsonContent(Invariant($$"""{"url":"{{receiver.Url}}","events":["job.queued"]}""")), cancellationToken);
        registered.EnsureSuccessStatusCode();

        // Committed by as many writers as the API sends at once, so the commits outrun one sender if they can.
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = WebhookConcurrency, CancellationToken = cancellationToken }, async (_, ct) =>
            await store.CreateAsync(Queued(), queue: true, ct));
        var committedSeconds = clock.Elapsed.TotalSeconds;
        await receiver.WaitForAsync(count, TimeSpan.FromMinutes(5), cancellationToken);
        var delivered = count / clock.Elapsed.TotalSeconds;
        var lagMs = (clock.Elapsed.TotalSeconds - committedSeconds) * 1000;

        // The floor: the same number of POSTs of an event-sized body, this process to the receiver, as many at once.
        var body = receiver.LastBody;
        using var direct = new HttpClient();
        clock.Restart();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = WebhookConcurrency, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            using var response = await direct.PostAsync(receiver.Url, JsonContent(body), ct);
            response.EnsureSuccessStatusCode();
        });
        var floor = count / clock.Elapsed.TotalSeconds;
        await stdout.WriteLineAsync(Invariant($"webhooks: {count} events committed in {committedSeconds:0.0} s ({count / committedSeconds:0} per s, {WebhookConcurrency} writers); delivered {delivered:0} per s (commit of the first to receipt of the last; the last {lagMs:0} ms after the last commit), direct POSTs {floor:0} per s at concurrency {WebhookConcurrency}; delivered / direct {delivered / floor:0.00}"));
    }

    /// <summary>A job for a content of its own (creating it commits one job.queued event).</summary>
    private static NewJob Queued() => new()
    {
        ContentId = $"content_{Guid.NewGuid():N}",
        UserId = "user_bench",
        Source = new SourceFile { Key = "sources/x/source.mp4", OriginalName = "x.mp4", SizeBytes = 1, MimeType = "video/mp4" },
    };

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The stream's events by job id, with the timestamp each frame was read at.</summary>
    private sealed class Received(Stream body)
    {
        private readonly Dictionary<string, TaskCompletionSource<long>> _arrivals = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var at = Stopwatch.GetTimestamp();
                    var jobId = JsonDocument.Parse(line[6..]).RootElement.GetProperty("jobId").GetString()!;
                    Arrival(jobId).TrySetResult(at);
                }
            }
        }

        public async Task<long> WaitForAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                return await Arrival(jobId).Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(Invariant($"the event of {jobId} did not arrive within {timeout.TotalSeconds:0} s"));
            }
        }

        private TaskCompletionSource<long> Arrival(string jobId)
        {
            lock (_lock)
            {
                if (!_arrivals.TryGetValue(jobId, out var arrival))
                {
                    arrival = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _arrivals[jobId] = arrival;
                }

                return arrival;
            }
        }
    }

    /// <summary>A loopback receiver (HttpListener) that answers 200 and counts the POSTs it got.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _count;

        public Receiver()
        {
            Url = Invariant($"http://127.0.0.1:{ChildProcess.FreePort()}/hook/");
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public string LastBody { get; private set; } = "{}";

        public async Task WaitForAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref _count) < count)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException(Invariant($"{_count} of {count} webhooks arrived within {timeout.TotalSeconds:0} s"));
                }

                await Task.Delay(10, cancellationToken);
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using var reader = new StreamReader(context.Request.InputStream);
                    LastBody = await reader.ReadToEndAsync();
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                    Interlocked.Increment(ref _count);
                });
            }
        }
    }

    internal sealed record Settings(int Events, int Blocks, int Webhooks)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--events", "--blocks", "--webhooks");
            return new Settings(options.Int("--events", 1000, min: 100), options.Int("--blocks", 4, min: 1), options.Int("--webhooks", 2000, min: 100));
        }
    }
}
