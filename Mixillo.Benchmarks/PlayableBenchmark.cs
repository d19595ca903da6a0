using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mixillo.Api.Auth;
using Mixillo.Errors;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Media.Encoding;
using Mixillo.Media.Running;
using Mixillo.TestServers;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>playable</c>: how soon a fresh upload plays, and when it is ready. 1080x1920 camera-like clips (grain on moving
/// pictures at 16 Mb/s; 15 s and 60 s by default) at the preset given, uploaded in chunks through the API as an app does, on the embedded default (one API process with
/// its worker, SQLite, a storage folder) and distributed with S3 (an API process and a worker process, PostgreSQL, a
/// Ceph S3 gateway), interleaved round by round. Measured from <c>complete</c>'s 202: to first playable (the content
/// says <c>playable</c>, and its HLS master and the first segment of every rung fetch) and to <c>ready</c>; and the
/// job's ffmpeg CPU seconds (its recorded usage). A content that is not playable before it is ready counts as playable
/// when ready.
/// </summary>
internal static class PlayableBenchmark
{
    public const string Synopsis = "playable [--rounds 2] [--seconds 15,60] [--preset medium]";

    private const string ClipSize = "1080x1920";
    private const double ClipFps = 30;

    // What a phone records at this size: grain on moving pictures (the encoders work as on camera footage) at 16 Mb/s.
    private const int CameraKbps = 16_000;
    private const string User = "user_bench";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(50);

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var apiDll = Path.Combine(AppContext.BaseDirectory, "Mixillo.Api.dll");
        if (!File.Exists(apiDll) || !File.Exists(WorkerBenchmark.Rig.WorkerDll))
        {
            await stderr.WriteLineAsync("Mixillo.Api.dll or Mixillo.Worker.dll is missing beside the benchmark; build the benchmark project first.");
            return 2;
        }

        await stdout.WriteLineAsync(Invariant($"playable benchmark: {ClipSize} {ClipFps} fps clips of {string.Join(", ", settings.Seconds)} s, preset {settings.Preset}, {settings.Rounds} rounds, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
        var root = Directory.CreateTempSubdirectory("mixillo-playablebench-").FullName;
        var deployments = new List<Deployment>();
        try
        {
            var clips = new Dictionary<double, string>();
            foreach (var seconds in settings.Seconds)
            {
                clips[seconds] = Path.Combine(root, Invariant($"clip_{seconds:0}s.mp4"));
                await new FfmpegRunner(new MediaOptions(), TimeProvider.System).RunAsync(
                    new FfmpegStep("clip", 1, seconds, ErrorCatalog.EncodeFailed), FfmpegArguments.Synthetic(clips[seconds], ClipSize, ClipFps, seconds, withAudio: true, CameraKbps), null, cancellationToken);
                await stdout.WriteLineAsync(Invariant($"clip: {seconds:0} s, {new FileInfo(clips[seconds]).Length / 1e6:0.0} MB"));
            }

            deployments.Add(await Deployment.EmbeddedAsync(apiDll, Path.Combine(root, "embedded"), settings, cancellationToken));
            deployments.Add(await Deployment.DistributedAsync(apiDll, Path.Combine(root, "s3"), settings, cancellationToken));
            var runs = new List<Measurement>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var seconds in settings.Seconds)
                {
                    foreach (var deployment in deployments)
                    {
                        var run = await MeasureAsync(deployment, clips[seconds], seconds, round, cancellationToken);
                        runs.Add(run);
                        await stdout.WriteLineAsync(Invariant($"round {round}/{settings.Rounds}  {deployment.Name,-8} {seconds,3:0} s  first playable {run.PlayableSeconds,6:0.0} s{(run.PlayableBeforeReady ? "" : " (at ready)")}  ready {run.ReadySeconds,6:0.0} s  job CPU {run.CpuSeconds,6:0.0} s"));
                    }
                }
            }

            await stdout.WriteLineAsync();
            await stdout.WriteAsync(Summary(runs, settings));
            return 0;
        }
        finally
        {
            foreach (var deployment in deployments)
            {
                await deployment.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>One upload through the API, then polling its content until it is ready.</summary>
    private static async Task<Measurement> MeasureAsync(Deployment deployment, string clip, double seconds, int round, CancellationToken cancellationToken)
    {
        var user = deployment.User;
        var bytes = await File.ReadAllBytesAsync(clip, cancellationToken);
        var upload = await DataAsync(await user.PostAsJsonAsync("/api/content/upload/initialize", new { fileName = "clip.mp4", fileSize = bytes.Length, mimeType = "video/mp4", uploadType = "video" }, cancellationToken));
        var uploadId = upload.GetProperty("uploadId").GetString()!;
        var chunkSize = upload.GetProperty("chunkSize").GetInt32();
        for (var (i, offset) = (0, 0); offset < bytes.Length; i++, offset += chunkSize)
        {
            using var chunk = new ByteArrayContent(bytes, offset, Math.Min(chunkSize, bytes.Length - offset));
            await DataAsync(await user.PutAsync(Invariant($"/api/content/upload/{uploadId}/chunks/{i}"), chunk, cancellationToken));
        }

        var completed = await DataAsync(await user.PostAsync(Invariant($"/api/content/upload/{uploadId}/complete"), null, cancellationToken));
        var clock = Stopwatch.StartNew();
        var contentId = completed.GetProperty("contentId").GetString()!;
        double? playable = null;
        while (true)
        {
            var content = await DataAsync(await user.GetAsync("/api/content/" + contentId, cancellationToken));
            var status = content.GetProperty("status").GetString();
            if (status == "failed")
            {
                throw new InvalidOperationException(Invariant($"{deployment.Name} {seconds:0} s round {round}: the job failed: {content}"));
            }

            if (playable is null && (status == "ready" || (content.TryGetProperty("playable", out var flag) && flag.GetBoolean()))
                && await FirstSegmentsFetchAsync(deployment.Anonymous, content, cancellationToken))
            {
                playable = clock.Elapsed.TotalSeconds;
            }

            if (status == "ready")
            {
                var ready = clock.Elapsed.TotalSeconds;
                var job = await DataAsync(await deployment.Admin.GetAsync("/api/transcode/jobs/" + completed.GetProperty("jobId").GetString(), cancellationToken));
                return new Measurement(deployment.Name, seconds, playable!.Value, ready, job.GetProperty("usage").GetProperty("cpuSeconds").GetDouble());
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(120 + (20 * seconds)))
            {
                throw new TimeoutException(Invariant($"{deployment.Name} {seconds:0} s round {round}: not ready after {clock.Elapsed.TotalSeconds:0} s: {content}"));
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>The HLS master and, for every rung it names, the rung's playlist, its init segment and its first segment.</summary>
    private static async Task<bool> FirstSegmentsFetchAsync(HttpClient anonymous, JsonElement content, CancellationToken cancellationToken)
    {
        if (!content.TryGetProperty("playback", out var playback) || playback.ValueKind != JsonValueKind.Object || playback.GetProperty("hls").GetString() is not { } master)
        {
            return false;
        }

        using var masterResponse = await anonymous.GetAsync(master, cancellationToken);
        if (!masterResponse.IsSuccessStatusCode)
        {
            return false;
        }

        var variants = Uris(await masterResponse.Content.ReadAsStringAsync(cancellationToken), new Uri(masterResponse.RequestMessage!.RequestUri!, "."));
        foreach (var variant in variants)
        {
            using var playlist = await anonymous.GetAsync(variant, cancellationToken);
            var parts = playlist.IsSuccessStatusCode ? Uris(await playlist.Content.ReadAsStringAsync(cancellationToken), new Uri(variant, ".")) : [];
            if (parts.Count < 2)
            {
                return false;
            }

            // The init segment (EXT-X-MAP) and the first media segment.
            foreach (var part in parts.Take(2))
            {
                using var segment = await anonymous.GetAsync(part, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!segment.IsSuccessStatusCode)
                {
                    return false;
                }
            }
        }

        return variants.Count > 0;
    }

    /// <summary>A playlist's URIs in order: <c>EXT-X-MAP</c>'s, then one per non-tag line.</summary>
    private static List<Uri> Uris(string playlist, Uri folder) => [.. playlist.Split('\n')
        .Select(line => line.Trim())
        .Select(line => line.StartsWith("#EXT-X-MAP:URI=\"", StringComparison.Ordinal) ? line[16..line.IndexOf('"', 16)] : line.StartsWith('#') ? "" : line)
        .Where(uri => uri.Length > 0)
        .Select(uri => new Uri(folder, uri))];

    private static async Task<JsonElement> DataAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(Invariant($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}"));
            }

            return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
        }
    }

    private static string Summary(List<Measurement> runs, Settings settings)
    {
        var text = new StringBuilder(Invariant($"Medians of {settings.Rounds} interleaved rounds; {ClipSize} {ClipFps} fps, preset {settings.Preset}; seconds from complete's 202.\n\n"));
        text.AppendLine("| deployment | clip s | first playable s | ready s | playable / ready | target | result | job CPU s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var group in runs.GroupBy(r => (r.Deployment, r.ClipSeconds)))
        {
            var playable = Median(group.Select(r => r.PlayableSeconds));
            var ready = Median(group.Select(r => r.ReadySeconds));
            var target = group.Key.ClipSeconds >= 60 ? 0.25 : 0.5;
            var ratio = playable / ready;
            text.AppendLine(Invariant($"| {group.Key.Deployment} | {group.Key.ClipSeconds:0} | {playable:0.0} | {ready:0.0} | {ratio:0.00} | <= {target:0.00} | {(ratio <= target ? "PASS" : "MISS")} | {Median(group.Select(r => r.CpuSeconds)):0.0} |"));
        }

        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed record Measurement(string Deployment, double ClipSeconds, double PlayableSeconds, double ReadySeconds, double CpuSeconds)
    {
        public bool PlayableBeforeReady => PlayableSeconds < ReadySeconds;
    }

    internal sealed record Settings(int Rounds, IReadOnlyList<double> Seconds, string Preset)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--rounds", "--seconds", "--preset");
            return new Settings(options.Int("--rounds", 2, min: 1), options.Doubles("--seconds", [15, 60], min: 1, max: 600), options.OneOf("--preset", "medium", [.. TranscodeOptions.Presets]));
        }
    }

    /// <summary>A running deployment: its API's address and signing key, and what to stop afterwards.</summary>
    private sealed class Deployment(string name, Uri api, string signingKey) : IAsyncDisposable
    {
        private readonly List<HostProcess> _processes = [];
        private readonly List<IAsyncDisposable> _servers = [];

        public string Name { get; } = name;

        public HttpClient User { get; } = Client(api, signingKey, PlayableBenchmark.User, role: null);

        public HttpClient Admin { get; } = Client(api, signingKey, "admin_bench", AuthOptions.AdminRole);

        public HttpClient Anonymous { get; } = Client(api, signingKey, user: null, role: null);

        /// <summary>One API process with its worker inside, SQLite and a storage folder: the product's defaults.</summary>
        public static async Task<Deployment> EmbeddedAsync(string apiDll, string folder, Settings settings, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(folder);
            var deployment = new Deployment("embedded", new Uri(Invariant($"http://127.0.0.1:{ChildProcess.FreePort()}")), RandomNumberGenerator.GetHexString(64, lowercase: true));
            await deployment.StartApiAsync(apiDll, folder, deployment.Common(folder, settings), cancellationToken);
            return deployment;
        }

        /// <summary>An API process and a worker process on PostgreSQL and a Ceph S3 gateway.</summary>
        public static async Task<Deployment> DistributedAsync(string apiDll, string folder, Settings settings, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(folder);
            var deployment = new Deployment("s3", new Uri(Invariant($"http://127.0.0.1:{ChildProcess.FreePort()}")), RandomNumberGenerator.GetHexString(64, lowercase: true));
            try
            {
                var postgres = await PostgresServer.StartAsync(cancellationToken);
                deployment._servers.Add(postgres);
                var s3 = await CephS3Server.StartAsync(cancellationToken);
                deployment._servers.Add(s3);
                var environment = new Dictionary<string, string>(deployment.Common(folder, settings))
                {
                    ["Store__Provider"] = JobStores.Postgres,
                    ["ConnectionStrings__mixillo"] = postgres.ConnectionString(),
                    ["Storage__Provider"] = "s3",
                    ["Storage__S3__ServiceUrl"] = s3.ServiceUrl,
                    ["Storage__S3__AccessKey"] = s3.AccessKey,
                    ["Storage__S3__SecretKey"] = s3.SecretKey,
                    ["Storage__S3__Region"] = s3.Region,
                    ["Storage__S3__Bucket"] = "playable",
                    ["Worker__InProcess"] = "false",
                };
                await deployment.StartApiAsync(apiDll, folder, environment, cancellationToken);
                var worker = WorkerBenchmark.WorkerProcess.Start(
                    WorkerBenchmark.Rig.WorkerDll, new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = Invariant($"http://127.0.0.1:{ChildProcess.FreePort()}") }, folder);
                deployment._processes.Add(worker);
                await worker.WaitStartedAsync(StartTimeout, cancellationToken);
                return deployment;
            }
            catch
            {
                await deployment.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { User, Admin, Anonymous })
            {
                client.Dispose();
            }

            foreach (var process in Enumerable.Reverse(_processes))
            {
                await process.StopAsync(StopTimeout);
                process.Dispose();
            }

            foreach (var server in Enumerable.Reverse(_servers))
            {
                await server.DisposeAsync();
            }
        }

        /// <summary>A client as <paramref name="user"/> (anonymous when null), with the role given.</summary>
        private static HttpClient Client(Uri api, string signingKey, string? user, string? role)
        {
            var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(5) };
            if (user is not null)
            {
                var auth = new AuthOptions { SigningKey = signingKey };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue(auth, auth.Key(development: false), user, role, TimeSpan.FromHours(2), DateTimeOffset.UtcNow));
            }

            return client;
        }

        private Dictionary<string, string> Common(string folder, Settings settings) => new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Auth__SigningKey"] = signingKey,
            ["Transcode__Preset"] = settings.Preset,
            ["Upload__ScratchRoot"] = Path.Combine(folder, "uploads"),
            ["Worker__ScratchRoot"] = Path.Combine(folder, "scratch"),
            ["Queue__StartRateLimit"] = "0",
        };

        private async Task StartApiAsync(string apiDll, string folder, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
        {
            var process = ApiProcess.Start(apiDll, api.Port, environment, folder);
            _processes.Add(process);
            await process.WaitHealthyAsync(api, StartTimeout, cancellationToken);
        }
    }
}
