using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mixillo.Api.Auth;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.Media.Probing;
using Mixillo.TestServers;
using Npgsql;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>api</c>: request latency of the API's read paths over a realistically full store. A throwaway PostgreSQL is
/// filled through <see cref="PostgresJobStore"/> with N jobs of 1,000 users in a mix of statuses; then the built
/// <c>Mixillo.Api</c> runs as its own process (Production, <c>Worker:InProcess=false</c>, filesystem storage), and
/// an HttpClient in this process, on loopback with 4 and then 16 connections, times the admin job list (first page,
/// status filters, a user filter, a deep OFFSET page), one user's content status, and anonymous media: a segment of a
/// ready content and a 404 for a queued one. Latency runs from just before
/// SendAsync to the last byte of the body.
/// </summary>
internal static class ApiBenchmark
{
    public const string Synopsis = "api [--jobs 100000] [--requests 1000]";

    private const double TargetP99Ms = 50;
    private const int Users = 1000;
    private const int PageSize = 50;
    private const int DeepSkip = 50_000;
    private const int FillParallelism = 8;
    private const int WarmupPerCase = 200;
    private const int Seed = 20261121;
    private const string AdminId = "admin_bench";
    private const string Hostname = "bench";
    private const string WorkerId = "worker_bench_fill";
    private static readonly int[] Concurrencies = [4, 16];

    // Each case and concurrency stops after --requests requests or this long, whichever comes first.
    private static readonly TimeSpan CaseTimeLimit = TimeSpan.FromSeconds(12);

    // The first warm-up (JIT tiers, connection pools, PostgreSQL's cache): this many requests or this long per case.
    private static readonly TimeSpan WarmupTimeLimit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    // The status mix of the fill, in order: the rest (about 4 %) stays queued.
    private static readonly (JobStatus Status, double Share)[] Mix =
    [
        (JobStatus.Completed, 0.90),
        (JobStatus.Failed, 0.05),
        (JobStatus.Cancelled, 0.01),
    ];

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            await stderr.WriteLineAsync("The api benchmark reads /proc; it runs on Linux only.");
            return 2;
        }

        // The benchmark references Mixillo.Api, so the build copies the API (with its runtimeconfig) here.
        var apiDll = Path.Combine(AppContext.BaseDirectory, "Mixillo.Api.dll");
        if (!File.Exists(apiDll))
        {
            await stderr.WriteLineAsync($"{apiDll} is missing; build the benchmark project first.");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("mixillo-apibench-").FullName;
        PostgresServer? server = null;
        ApiProcess? api = null;
        try
        {
            var deepSkip = Math.Min(DeepSkip, settings.Jobs / 2);
            await stdout.WriteLineAsync(Invariant($"api benchmark: {settings.Jobs} jobs of {Users} users, up to {settings.Requests} requests or {CaseTimeLimit.TotalSeconds:0} s per case and concurrency, concurrency {string.Join('/', Concurrencies)}, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));

            var started = Stopwatch.StartNew();
            server = await PostgresServer.StartAsync(cancellationToken);
            await stdout.WriteLineAsync(Invariant($"PostgreSQL started on port {server.Port} (pid {server.Pid}) in {started.Elapsed.TotalSeconds:0.0} s"));

            var seeded = await FillAsync(server, settings.Jobs, stdout, cancellationToken);

            var signingKey = RandomNumberGenerator.GetHexString(64, lowercase: true);
            var media = Path.Combine(root, "media");
            Directory.CreateDirectory(media);
            var withMedia = WriteSegments(seeded, media);
            var port = ChildProcess.FreePort();
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Store__Provider"] = JobStores.Postgres,
                ["ConnectionStrings__mixillo"] = server.ConnectionString(),
                ["Storage__Provider"] = "filesystem",
                ["Storage__Root"] = media,
                ["Worker__InProcess"] = "false",
                ["Auth__SigningKey"] = signingKey,
            };
            var apiFolder = Path.Combine(root, "api");
            Directory.CreateDirectory(apiFolder);
            var starting = Stopwatch.StartNew();
            api = ApiProcess.Start(apiDll, port, environment, apiFolder);
            var baseAddress = new Uri(Invariant($"http://127.0.0.1:{port}"));
            await api.WaitHealthyAsync(baseAddress, StartTimeout, cancellationToken);
            await stdout.WriteLineAsync(Invariant($"API started (pid {api.Pid}) on {baseAddress} in {starting.Elapsed.TotalSeconds:0.0} s: Production, Worker:InProcess=false, filesystem storage; {apiDll}"));

            var auth = new AuthOptions { SigningKey = signingKey };
            var key = auth.Key(development: false);
            var now = DateTimeOffset.UtcNow;
            var admin = Tokens.Issue(auth, key, AdminId, AuthOptions.AdminRole, TimeSpan.FromHours(2), now);
            var userTokens = Enumerable.Range(1, Users).Select(UserId).ToDictionary(u => u, u => Tokens.Issue(auth, key, u, null, TimeSpan.FromHours(2), now), StringComparer.Ordinal);
            var deepCursor = await DeepCursorAsync(baseAddress, admin, deepSkip, cancellationToken);
            var cases = Cases(seeded, admin, userTokens, deepSkip, deepCursor, withMedia);

            var probe = new Probe(api.Pid, server.Pid ?? throw new InvalidOperationException("PostgreSQL is not running."));
            var results = new List<Result>();
            using (var warmClient = Client(baseAddress, Concurrencies[0]))
            {
                var warm = Stopwatch.StartNew();
                var warmed = new List<string>();
                foreach (var c in cases)
                {
                    var w = await LoadAsync(warmClient, c, Concurrencies[0], WarmupPerCase, WarmupTimeLimit, verify: true, probe, cancellationToken);
                    ThrowOnProblems(c, w);
                    warmed.Add(Invariant($"{c.Name} {w.Count}"));
                }

                await stdout.WriteLineAsync(Invariant($"warm-up: up to {WarmupPerCase} requests or {WarmupTimeLimit.TotalSeconds:0} s per case at concurrency {Concurrencies[0]} ({string.Join(", ", warmed)}), every response checked, in {warm.Elapsed.TotalSeconds:0.0} s"));
            }

            foreach (var concurrency in Concurrencies)
            {
                using var client = Client(baseAddress, concurrency);
                foreach (var c in cases)
                {
                    // One request per connection first (connections opened and checked), then the timed run.
                    ThrowOnProblems(c, await LoadAsync(client, c, concurrency, concurrency, TimeSpan.FromMinutes(1), verify: true, probe, cancellationToken));
                    var result = await LoadAsync(client, c, concurrency, settings.Requests, CaseTimeLimit, verify: false, probe, cancellationToken);
                    results.Add(result);
                    await stdout.WriteLineAsync(Invariant(
                        $"{c.Name,-26} c={concurrency,2}  {result.Count,5} req in {result.Seconds,5:0.00} s  {result.PerSecond,7:0.0} req/s  p50 {result.P50,7:0.00} ms  p99 {result.P99,7:0.00} ms  max {result.Max,7:0.00} ms  {result.MeanKb,6:0.0} KB/resp  CPU ms/req: API {result.ApiCpuMs:0.00}, PostgreSQL {result.PostgresCpuMs:0.00}, client {result.ClientCpuMs:0.00}; machine busy {result.MachineBusy:P0}; errors {result.Problems.Count}"));
                    if (result.ByTag.Count > 1)
                    {
                        await stdout.WriteLineAsync(Invariant($"{"",-26} c={concurrency,2}  by the content's job status: {string.Join("; ", result.ByTag.Select(t => Invariant($"{t.Tag} {t.Count} req p50 {t.P50:0.00} ms p99 {t.P99:0.00} ms max {t.Max:0.00} ms")))}"));
                    }

                    foreach (var problem in result.Problems.Take(5))
                    {
                        await stdout.WriteLineAsync($"{c.Name} c={concurrency}: PROBLEM {problem}");
                    }
                }
            }

            var explained = await ExplainAsync(server, deepSkip, cancellationToken);
            foreach (var line in explained)
            {
                await stdout.WriteLineAsync(line);
            }

            var logged = api.LogProblems().ToList();
            foreach (var line in logged.Take(10))
            {
                await stdout.WriteLineAsync($"API logged: {line}");
            }

            await stdout.WriteLineAsync(Invariant($"load average at the end {Machine.LoadAverage()}"));
            await stdout.WriteLineAsync();
            await stdout.WriteAsync(Summary(results, seeded, settings, deepSkip));
            // Exit 1 on a bad answer or a logged error; PASS and MISS both exit 0, as the other benchmarks do.
            return results.All(r => r.Problems.Count == 0) && !logged.Any(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)) ? 0 : 1;
        }
        finally
        {
            if (api is not null)
            {
                var (exitCode, seconds) = await api.StopAsync(StopTimeout);
                await stdout.WriteLineAsync(Invariant($"API stopped by SIGTERM in {seconds:0.0} s (exit {exitCode})"));
                api.Dispose();
            }

            if (server is not null)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Creates every job through the store (queued ones with queue:true, the others pending), then moves each
    /// non-queued one to its final status in one ChangeAsync, with the same TranscodeJob methods a worker's stages
    /// call (three claims and stage completions for a completed job, with its outputs recorded); then VACUUM ANALYZE,
    /// the state autovacuum would reach on its own.
    /// </summary>
    private static async Task<Seeded> FillAsync(PostgresServer server, int count, TextWriter stdout, CancellationToken cancellationToken)
    {
        await using var store = new PostgresJobStore(server.ConnectionString(), new QueueOptions { StartRateLimit = 0 }, TimeProvider.System);
        await store.InitializeAsync(cancellationToken);

        var random = new Random(Seed);
        var plan = Enumerable.Range(0, count).Select(_ => (User: UserId(random.Next(1, Users + 1)), Status: PlannedStatus(random.NextDouble()))).ToArray();
        var jobs = new SeededJob[count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = FillParallelism, CancellationToken = cancellationToken };

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (i, ct) =>
        {
            var (user, status) = plan[i];
            var created = await store.CreateAsync(NewJob(user), queue: status == JobStatus.Queued, ct);
            jobs[i] = new SeededJob(created.JobId, created.ContentId, user, status);
        });
        var createSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var toFinish = jobs.Where(j => j.Status != JobStatus.Queued).ToList();
        await Parallel.ForEachAsync(toFinish, options, async (job, ct) =>
        {
            var changed = await store.ChangeAsync(job.JobId, (j, now) => Finish(j, job.Status, now), ct);
            if (changed.Status != job.Status)
            {
                throw new InvalidOperationException($"{job.JobId} ended {changed.Status}, not {job.Status}.");
            }
        });
        var finishSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        await using (var connection = new NpgsqlConnection(server.ConnectionString()))
        {
            await connection.OpenAsync(cancellationToken);
            await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) transcode_jobs", connection) { CommandTimeout = 300 };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        var vacuumSeconds = clock.Elapsed.TotalSeconds;
        var counts = await store.CountAsync(cancellationToken);
        var seeded = new Seeded(jobs, createSeconds, finishSeconds, vacuumSeconds, await TableSizeAsync(server, cancellationToken));
        if (counts.Total != count || counts.Completed != seeded.Count(JobStatus.Completed) || counts.Failed != seeded.Count(JobStatus.Failed)
            || counts.Cancelled != seeded.Count(JobStatus.Cancelled) || counts.Waiting != seeded.Count(JobStatus.Queued))
        {
            throw new InvalidOperationException($"The store counts {counts}, not the plan.");
        }

        await stdout.WriteLineAsync(Invariant(
            $"fill: {count} jobs created in {createSeconds:0.0} s ({count / createSeconds:0} /s, {FillParallelism} at a time), {toFinish.Count} moved to their final status in {finishSeconds:0.0} s ({toFinish.Count / finishSeconds:0} /s), VACUUM ANALYZE {vacuumSeconds:0.0} s; total {createSeconds + finishSeconds + vacuumSeconds:0.0} s"));
        await stdout.WriteLineAsync(Invariant(
            $"fill: {seeded.Count(JobStatus.Completed)} completed, {seeded.Count(JobStatus.Failed)} failed, {seeded.Count(JobStatus.Cancelled)} cancelled, {seeded.Count(JobStatus.Queued)} queued; table {seeded.TableSize}"));
        return seeded;
    }

    private static JobStatus PlannedStatus(double draw)
    {
        foreach (var (status, share) in Mix)
        {
            if (draw < share)
            {
                return status;
            }

            draw -= share;
        }

        return JobStatus.Queued;
    }

    /// <summary>What the API's upload completion creates (UploadService.CompleteAsync): its id shapes, source key and an estimate.</summary>
    private static NewJob NewJob(string user)
    {
        var contentId = Invariant($"content_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}_{RandomNumberGenerator.GetHexString(10, lowercase: true)}");
        return new NewJob
        {
            ContentId = contentId,
            UserId = user,
            Source = new SourceFile { Key = $"sources/{contentId}/source.mp4", OriginalName = "clip.mp4", SizeBytes = 48_211_337, MimeType = "video/mp4" },
            EstimatedCost = new JobCost(0.0013m, 0.0002m, 0.0004m),
        };
    }

    /// <summary>A worker's path to the final status, applied to a pending job in one change.</summary>
    private static void Finish(TranscodeJob job, JobStatus status, DateTimeOffset now)
    {
        job.Queue(now);
        switch (status)
        {
            case JobStatus.Cancelled:
                job.Cancel(now);
                return;
            case JobStatus.Failed:
                job.Start(WorkerId, Hostname, now);
                job.Fail(JobFailures.Of(ErrorCatalog.InputMalformed, "job", "ffprobe found no video stream in the source.", now), now, 0);
                return;
            case JobStatus.Completed:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(status), status, "Only final statuses are filled this way.");
        }

        // fetch
        job.Start(WorkerId, Hostname, now);
        job.RecordSource(
            new SourceMetadata
            {
                DurationSeconds = 31.5,
                SizeBytes = job.SourceFile.SizeBytes,
                BitrateBps = 12_244_000,
                FormatName = "mov,mp4,m4a,3gp,3g2,mj2",
                Demuxer = "mov",
                Video = new VideoStreamInfo { Index = 0, Codec = "h264", CodedWidth = 1080, CodedHeight = 1920, Rotation = 0, FramesPerSecond = 30, PixelFormat = "yuv420p" },
                Audio = new AudioStreamInfo { Index = 1, Codec = "aac", SampleRate = 48_000, Channels = 2 },
            },
            job.EstimatedCost!);
        job.ReportProgress(new JobProgress { Overall = 5, CurrentTask = "metadata", CurrentStep = "probed" }, now);
        job.CompleteStage(now);

        // process: every task, with the records the worker writes
        job.Start(WorkerId, Hostname, now);
        var attempt = Invariant($"staging/{job.JobId}/attempt-{job.LeaseToken}/");
        var prefix = $"videos/{job.ContentId}/";
        foreach (var (quality, width, height, bitrate) in new[] { ("720p", 720, 1280, 2_412_000L), ("480p", 480, 854, 1_013_000L), ("360p", 360, 640, 598_000L) })
        {
            job.AddOutput(new JobOutput { Quality = quality, Key = prefix + quality + ".mp4", SizeBytes = bitrate * 31 / 8, BitrateBps = bitrate, Width = width, Height = height, DurationSeconds = 31.5, Codec = "h264" });
        }

        for (var i = 1; i <= 5; i++)
        {
            job.AddThumbnail(new JobThumbnail(Invariant($"{prefix}thumbnails/thumb_{i}.jpg"), (i - 0.5) * 6.3, 720, 1280));
        }

        job.RecordPreview(new AnimatedPreview(prefix + "preview.mp4", 3, 360, 640));
        job.RecordAudio(new AudioTrack(prefix + "audio.mp3", 192, 44100, 31.5));
        job.AddOutput(new JobOutput { Quality = "hls", Key = prefix + "hls/master.m3u8", ManifestKey = prefix + "hls/master.m3u8", SegmentCount = 6, SegmentDurationSeconds = 6 });
        foreach (var task in job.Tasks.Where(t => t.Status == JobTaskStatus.Pending).ToList())
        {
            job.CompleteTask(task.Type, attempt, now);
        }

        job.AddUsage(new JobUsage(24.7, 48_211_337, 19_734_120), _ => new JobCost(0.001235m, 0.000423m, 0.001654m));
        job.ReportProgress(new JobProgress { Overall = 95, CurrentTask = "hls", CurrentStep = "processed" }, now);
        job.CompleteStage(now);

        // publish
        job.Start(WorkerId, Hostname, now);
        job.CompleteStage(now);
    }

    private static string UserId(int number) => Invariant($"user_{number:0000}");

    /// <summary>Contents with a published segment, for the media cases: the first of the completed ones.</summary>
    private const int MediaContents = 1000;

    /// <summary>What a 6 s segment of the 360p rung (600 kb/s) weighs, about.</summary>
    private const int SegmentBytes = 450 * 1024;

    private const string SegmentPath = "hls/360p/seg_000.m4s";

    /// <summary>One HLS segment under videos/{contentId}/ for <see cref="MediaContents"/> completed contents (and none for queued ones).</summary>
    private static SeededJob[] WriteSegments(Seeded seeded, string storageRoot)
    {
        var segment = new byte[SegmentBytes];
        new Random(Seed).NextBytes(segment);
        var contents = seeded.Jobs.Where(j => j.Status == JobStatus.Completed).Take(MediaContents).ToArray();
        foreach (var job in contents)
        {
            var path = Path.Combine(storageRoot, "videos", job.ContentId, SegmentPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, segment);
        }

        return contents;
    }

    /// <summary>The requests: the admin job list in its main shapes, a user's own content status, and media (published or not).</summary>
    private static List<Case> Cases(Seeded seeded, string admin, Dictionary<string, string> userTokens, int deepSkip, DeepPage deep, SeededJob[] withMedia)
    {
        var queued = seeded.Jobs.Where(j => j.Status == JobStatus.Queued).ToArray();
        var total = seeded.Jobs.Length;
        var byUser = seeded.Jobs.GroupBy(j => j.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var users = byUser.Keys.Order(StringComparer.Ordinal).ToArray();
        const string ListPath = "/api/transcode/jobs?limit=50";
        return
        [
            new(1, "list", "GET /api/transcode/jobs?limit=50", _ => new Request(ListPath, admin, body => CheckPage(body, total, 0))),
            new(2, "list status=failed", "... &status=failed", _ => new Request(ListPath + "&status=failed", admin, body => CheckPage(body, seeded.Count(JobStatus.Failed), 0))),
            new(3, "list status=completed", "... &status=completed", _ => new Request(ListPath + "&status=completed", admin, body => CheckPage(body, seeded.Count(JobStatus.Completed), 0))),
            new(4, "list userId=(random)", "... &userId={a random user}", random =>
            {
                var user = users[random.Next(users.Length)];
                return new Request(ListPath + "&userId=" + user, admin, body => CheckPage(body, byUser[user], 0));
            }),
            new(5, Invariant($"list skip={deepSkip}"), Invariant($"... &skip={deepSkip}"), _ => new Request(Invariant($"{ListPath}&skip={deepSkip}"), admin, body => CheckPage(body, total, deepSkip))),
            new(6, Invariant($"list cursor at {deepSkip}"), Invariant($"... &cursor={{nextCursor of the page before skip={deepSkip}}}"), _ => new Request(
                $"{ListPath}&cursor={deep.Cursor}", admin, body => CheckPage(body, null, deepSkip, total) ?? CheckFirst(body, deep.FirstJobId))),
            new(7, "content (owner)", "GET /api/content/{a random content} as its user", random =>
            {
                var job = seeded.Jobs[random.Next(seeded.Jobs.Length)];
                return new Request("/api/content/" + job.ContentId, userTokens[job.UserId], body => CheckContent(body, job)) { Tag = JobJson.Name(job.Status) };
            }),
            new(8, "media segment (ready)", Invariant($"GET /media/videos/{{one of {withMedia.Length} ready contents}}/{SegmentPath}, anonymous"), random =>
                new Request(Invariant($"/media/videos/{withMedia[random.Next(withMedia.Length)].ContentId}/{SegmentPath}"), null, _ => null) { Json = false }),
            new(9, "media 404 (queued)", Invariant($"GET /media/videos/{{a queued content}}/{SegmentPath}, anonymous: 404"), random =>
                new Request(Invariant($"/media/videos/{queued[random.Next(queued.Length)].ContentId}/{SegmentPath}"), null, _ => null) { Json = false, Expect = HttpStatusCode.NotFound }),
        ];
    }

    /// <param name="total">The total the page must report; null for a cursor page, which reports none.</param>
    private static string? CheckPage(JsonElement body, long? total, int skip, long? matching = null)
    {
        var expected = (int)Math.Clamp((matching ?? total ?? 0) - skip, 0, PageSize);
        var count = body.GetProperty("data").GetArrayLength();
        long? reported = body.GetProperty("meta").TryGetProperty("total", out var t) ? t.GetInt64() : null;
        return count == expected && reported == total ? null : Invariant($"page of {count} jobs (expected {expected}), total {reported} (expected {total})");
    }

    private static string? CheckFirst(JsonElement body, string jobId)
    {
        var first = body.GetProperty("data")[0].GetProperty("jobId").GetString();
        return first == jobId ? null : $"the page starts at {first}, not at {jobId} as the skip page does";
    }

    /// <summary>The cursor that continues at row <paramref name="deepSkip"/>, and the job the skip page starts with there.</summary>
    private static async Task<DeepPage> DeepCursorAsync(Uri baseAddress, string admin, int deepSkip, CancellationToken cancellationToken)
    {
        using var client = Client(baseAddress, 1);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin);
        var before = await client.GetFromJsonAsync<JsonElement>(Invariant($"/api/transcode/jobs?limit={PageSize}&skip={deepSkip - PageSize}"), cancellationToken);
        var at = await client.GetFromJsonAsync<JsonElement>(Invariant($"/api/transcode/jobs?limit={PageSize}&skip={deepSkip}"), cancellationToken);
        return new DeepPage(
            before.GetProperty("meta").GetProperty("nextCursor").GetString() ?? throw new InvalidOperationException("The page before the deep one has no nextCursor."),
            at.GetProperty("data")[0].GetProperty("jobId").GetString()!);
    }

    private static string? CheckContent(JsonElement body, SeededJob job)
    {
        var data = body.GetProperty("data");
        var expected = job.Status switch
        {
            JobStatus.Completed => "ready",
            JobStatus.Failed or JobStatus.Cancelled => "failed",
            _ => "processing",
        };
        var status = data.GetProperty("status").GetString();
        var content = data.GetProperty("contentId").GetString();
        var playback = job.Status != JobStatus.Completed || (data.TryGetProperty("playback", out var p) && p.GetProperty("hls").GetString() is not null);
        var queue = job.Status != JobStatus.Queued || data.TryGetProperty("queue", out _);
        return status == expected && content == job.ContentId && playback && queue
            ? null
            : Invariant($"content {job.ContentId}: status {status} (expected {expected}), contentId {content}, playback ok {playback}, queue position ok {queue}");
    }

    private static HttpClient Client(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>
    /// <paramref name="concurrency"/> loops each send one request after another (a closed loop) until
    /// <paramref name="requests"/> were sent or <paramref name="limit"/> passed. Every response must have its request's status (200 but for the media 404 case); with
    /// <paramref name="verify"/> its body is also parsed and checked against the fill.
    /// </summary>
    private static async Task<Result> LoadAsync(HttpClient client, Case c, int concurrency, int requests, TimeSpan limit, bool verify, Probe probe, CancellationToken cancellationToken)
    {
        var issued = 0;
        var before = probe.Read();
        var clock = Stopwatch.StartNew();
        var loops = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(loop => Task.Run(
            async () =>
            {
                var random = new Random(Seed + (c.Id * 1_000_003) + (concurrency * 10_007) + (loop * 101) + (verify ? 1 : 0));
                var (latencies, problems, bytes) = (new List<(string Tag, double Ms)>(), new List<string>(), 0L);
                while (Interlocked.Increment(ref issued) <= requests && clock.Elapsed < limit)
                {
                    var request = c.Next(random);
                    using var message = new HttpRequestMessage(HttpMethod.Get, request.Path);
                    if (request.Token is { } token)
                    {
                        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }

                    var start = Stopwatch.GetTimestamp();
                    HttpResponseMessage? response = null;
                    byte[] body;
                    try
                    {
                        response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                        body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    }
                    catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        response?.Dispose();
                        problems.Add(Invariant($"{request.Path}: no answer after {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms ({ex.GetType().Name}: {ex.Message})"));
                        continue;
                    }

                    using var disposed = response;
                    latencies.Add((request.Tag, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                    bytes += body.Length;
                    if (response.StatusCode != request.Expect)
                    {
                        problems.Add(Invariant($"{request.Path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300))}"));
                    }
                    else if (verify && request.Json)
                    {
                        using var json = JsonDocument.Parse(body);
                        if (!json.RootElement.GetProperty("success").GetBoolean())
                        {
                            problems.Add($"{request.Path}: success is not true");
                        }
                        else if (request.Check(json.RootElement) is { } problem)
                        {
                            problems.Add($"{request.Path}: {problem}");
                        }
                    }
                }

                return (latencies, problems, bytes);
            },
            cancellationToken)));
        var seconds = clock.Elapsed.TotalSeconds;
        var after = probe.Read();

        var all = loops.SelectMany(l => l.latencies).ToList();
        var sorted = all.Select(l => l.Ms).Order().ToArray();
        var byTag = all.GroupBy(l => l.Tag, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g =>
        {
            var ms = g.Select(l => l.Ms).Order().ToArray();
            return new TagLatency(g.Key, ms.Length, Percentile(ms, 0.50), Percentile(ms, 0.99), ms[^1]);
        }).ToList();
        var n = Math.Max(1, sorted.Length);
        return new Result(
            c,
            concurrency,
            sorted.Length,
            seconds,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            sorted.Length == 0 ? double.NaN : sorted[^1],
            loops.Sum(l => l.bytes) / (double)n / 1024,
            (after.Api - before.Api) * 1000 / n,
            (after.Postgres - before.Postgres) * 1000 / n,
            (after.Client - before.Client) * 1000 / n,
            (after.MachineBusy - before.MachineBusy) / (double)(after.MachineTotal - before.MachineTotal),
            [.. loops.SelectMany(l => l.problems)],
            byTag);
    }

    private static void ThrowOnProblems(Case c, Result result)
    {
        if (result.Problems.Count > 0)
        {
            throw new InvalidOperationException($"{c.Name}: {result.Problems.Count} bad response(s) in the checked warm-up, e.g. {result.Problems[0]}");
        }
    }

    /// <summary>
    /// The plans PostgreSQL chooses for the list's two statements, as SqlJobStore.ListAsync writes them (copied here:
    /// keep in step with the store), at the first page and at the deep one; and for the queue position of a queued content.
    /// </summary>
    private static async Task<List<string>> ExplainAsync(PostgresServer server, int deepSkip, CancellationToken cancellationToken)
    {
        var statements = new List<(string Label, string Sql)>
        {
            ("count (every page without a cursor)", "SELECT count(*) FROM transcode_jobs"),
            ("page skip=0", "SELECT document, lease_token FROM transcode_jobs ORDER BY created_at DESC, job_id DESC LIMIT 51 OFFSET 0"),
            (Invariant($"page skip={deepSkip}"), Invariant($"SELECT document, lease_token FROM transcode_jobs ORDER BY created_at DESC, job_id DESC LIMIT 51 OFFSET {deepSkip}")),
        };
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync(cancellationToken);

        // The cursor page continues after the deep page's predecessor row.
        await using (var last = new NpgsqlCommand(Invariant($"SELECT created_at, job_id FROM transcode_jobs ORDER BY created_at DESC, job_id DESC LIMIT 1 OFFSET {deepSkip - 1}"), connection))
        await using (var reader = await last.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                statements.Add((Invariant($"page cursor at {deepSkip}"), Invariant($"SELECT document, lease_token FROM transcode_jobs WHERE (created_at, job_id) < ({reader.GetInt64(0)}, '{reader.GetString(1)}') ORDER BY created_at DESC, job_id DESC LIMIT 51 OFFSET 0")));
            }
        }

        // GET /api/content/{id} of a queued job adds SqlJobStore.PositionAsync's statement: here for the newest queued job.
        await using (var newest = new NpgsqlCommand("SELECT job_id, priority, created_at FROM transcode_jobs WHERE status = 'queued' ORDER BY created_at DESC LIMIT 1", connection))
        await using (var reader = await newest.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var (jobId, priority, created) = (reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2));
                var recent = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
                statements.Add(("queue position (content of a queued job)", Invariant($"""
                    SELECT
                        (SELECT count(*) FROM transcode_jobs WHERE status = 'queued'
                            AND (priority > {priority} OR (priority = {priority} AND (created_at < {created} OR (created_at = {created} AND job_id < '{jobId}'))))),
                        (SELECT count(*) FROM transcode_jobs WHERE status = 'processing'),
                        (SELECT avg(CAST(completed_at - started_at AS DOUBLE PRECISION)) / 1000 FROM
                            (SELECT completed_at, started_at FROM transcode_jobs WHERE status = 'completed' AND completed_at >= {recent}
                             ORDER BY completed_at DESC LIMIT 100) AS latest)
                    """)));
            }
        }

        foreach (var (label, sql) in statements)
        {
            await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var line = reader.GetString(0);
                if (!line.TrimStart().StartsWith("Buffers:", StringComparison.Ordinal) && !line.TrimStart().StartsWith("Planning:", StringComparison.Ordinal))
                {
                    lines.Add($"explain {label}: {line}");
                }
            }
        }

        return lines;
    }

    private static async Task<string> TableSizeAsync(PostgresServer server, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT pg_size_pretty(pg_table_size('transcode_jobs')) || ' (heap + TOAST), indexes ' || pg_size_pretty(pg_indexes_size('transcode_jobs')) || ', mean document ' || round(avg(length(document))) || ' chars' FROM transcode_jobs",
            connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Nearest rank, on sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];


    private static string Summary(List<Result> results, Seeded seeded, Settings settings, int deepSkip)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"{seeded.Jobs.Length} jobs of {Users} users ({seeded.Count(JobStatus.Completed)} completed, {seeded.Count(JobStatus.Failed)} failed, {seeded.Count(JobStatus.Cancelled)} cancelled, {seeded.Count(JobStatus.Queued)} queued); fill {seeded.CreateSeconds + seeded.FinishSeconds + seeded.VacuumSeconds:0.0} s (create {seeded.CreateSeconds:0.0} s, final statuses {seeded.FinishSeconds:0.0} s, VACUUM ANALYZE {seeded.VacuumSeconds:0.0} s); table {seeded.TableSize}."));
        text.AppendLine(Invariant($"Closed-loop HttpClient on loopback, up to {settings.Requests} requests or {CaseTimeLimit.TotalSeconds:0} s per row after warm-up; latency = send to last body byte; CPU per request from /proc (API process; PostgreSQL server and backends; this load generator)."));
        text.AppendLine();
        foreach (var c in results.Select(r => r.Case).DistinctBy(c => c.Id))
        {
            text.AppendLine(Invariant($"- {c.Name}: {c.Description}"));
        }

        text.AppendLine();
        text.AppendLine("| request | conc. | requests | req/s | p50 ms | p99 ms | max ms | KB/resp | CPU ms/req API / PG / client | machine busy | target (p99) | result |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (var r in results)
        {
            var result = r.Problems.Count > 0 ? Invariant($"ERRORS ({r.Problems.Count})") : r.P99 <= TargetP99Ms ? "PASS" : "MISS";
            text.AppendLine(Invariant($"| {r.Case.Name} | {r.Concurrency} | {r.Count} | {r.PerSecond:0.0} | {r.P50:0.00} | {r.P99:0.00} | {r.Max:0.00} | {r.MeanKb:0.0} | {r.ApiCpuMs:0.00} / {r.PostgresCpuMs:0.00} / {r.ClientCpuMs:0.00} | {r.MachineBusy:P0} | <= {TargetP99Ms:0} ms | {result} |"));
        }

        var split = results.Where(r => r.ByTag.Count > 1).ToList();
        if (split.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("The same content rows by the status of the job behind the content (random contents, so in the proportions of the fill):");
            text.AppendLine();
            text.AppendLine("| request | conc. | job status | requests | p50 ms | p99 ms | max ms |");
            text.AppendLine("|---|---:|---|---:|---:|---:|---:|");
            foreach (var r in split)
            {
                foreach (var t in r.ByTag)
                {
                    text.AppendLine(Invariant($"| {r.Case.Name} | {r.Concurrency} | {t.Tag} | {t.Count} | {t.P50:0.00} | {t.P99:0.00} | {t.Max:0.00} |"));
                }
            }
        }

        var missed = results.Where(r => r.P99 > TargetP99Ms || r.Problems.Count > 0).Select(r => Invariant($"{r.Case.Name} c={r.Concurrency}")).ToList();
        text.AppendLine();
        text.AppendLine(missed.Count == 0 ? "Every case meets p99 <= 50 ms." : Invariant($"{results.Count - missed.Count} of {results.Count} rows meet p99 <= 50 ms; missed: {string.Join(", ", missed)}."));
        if (results.Any(r => r.Case.Name == Invariant($"list skip={deepSkip}") && r.P99 > TargetP99Ms))
        {
            text.AppendLine(Invariant($"The skip={deepSkip} page is OFFSET paging: PostgreSQL reads and drops {deepSkip} rows (documents included) before the page. The cursor row reaches the same page by keyset (WHERE (created_at, job_id) < (the last row seen)), reading about {PageSize} index entries however deep."));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record DeepPage(string Cursor, string FirstJobId);

    private sealed record SeededJob(string JobId, string ContentId, string UserId, JobStatus Status);

    private sealed record Seeded(SeededJob[] Jobs, double CreateSeconds, double FinishSeconds, double VacuumSeconds, string TableSize)
    {
        public int Count(JobStatus status) => Jobs.Count(j => j.Status == status);
    }

    /// <summary>One request to make: path, bearer token (none for media), and the check of its parsed body (null when it is right).</summary>
    private sealed record Request(string Path, string? Token, Func<JsonElement, string?> Check)
    {
        /// <summary>The status every answer must have.</summary>
        public HttpStatusCode Expect { get; init; } = HttpStatusCode.OK;

        /// <summary>Media bodies are not JSON: only their status is checked.</summary>
        public bool Json { get; init; } = true;

        /// <summary>Latencies are also reported per tag (the content's job status).</summary>
        public string Tag { get; init; } = "";
    }

    private sealed record Case(int Id, string Name, string Description, Func<Random, Request> Next);

    private sealed record Result(
        Case Case,
        int Concurrency,
        int Count,
        double Seconds,
        double P50,
        double P99,
        double Max,
        double MeanKb,
        double ApiCpuMs,
        double PostgresCpuMs,
        double ClientCpuMs,
        double MachineBusy,
        List<string> Problems,
        List<TagLatency> ByTag)
    {
        public double PerSecond => Count / Seconds;
    }

    private sealed record TagLatency(string Tag, int Count, double P50, double P99, double Max);

    /// <summary>CPU seconds so far of the API process, of PostgreSQL (postmaster, its live backends, and those it reaped), of this process, and of the machine.</summary>
    private sealed class Probe(int apiPid, int postmasterPid)
    {
        public (double Api, double Postgres, double Client, long MachineBusy, long MachineTotal) Read()
        {
            var api = Proc.ReadStat(apiPid)?.Self ?? double.NaN;
            var postgres = 0.0;
            foreach (var pid in Proc.Pids())
            {
                if (Proc.ReadStat(pid) is not { } cpu)
                {
                    continue;
                }

                if (pid == postmasterPid)
                {
                    postgres += cpu.Self + cpu.Children;
                }
                else if (cpu.ParentPid == postmasterPid)
                {
                    postgres += cpu.Self;
                }
            }

            var machine = Machine.Cpu();
            return (api, postgres, Rusage.SelfSeconds(), machine.Busy, machine.Total);
        }
    }

    internal sealed record Settings(int Jobs, int Requests)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--jobs", "--requests");
            return new Settings(options.Int("--jobs", 100_000, min: 1000), options.Int("--requests", 1000, min: 1));
        }
    }
}
