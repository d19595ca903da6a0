using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Mixillo.Jobs.Storage;
using Roles = Mixillo.Benchmarks.AppHostProcess.Roles;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>apphost</c>: what running Mixillo under Aspire costs on a developer's machine (executables mode: no container
/// runtime here), in one run.
/// 1. Start-up: <c>dotnet run --project Mixillo.AppHost --no-build</c> as a real child process, timed until every
///    resource answers healthy from outside: cold (a new data root, so initdb runs) and warm (the same data root
///    again), alternately. Each run is stopped by SIGINT to the AppHost, as Ctrl+C, and every process of the app
///    must be gone before the next.
/// 2. Memory once healthy and idle: RSS and PSS of every process of the app, by role.
/// 3. Telemetry: during the last warm run, the worker verb's machinery with one worker process draining the same
///    jobs with export on (the OTEL_* variables the AppHost gives its worker replicas, so to its dashboard) and off,
///    interleaved: the worker's RSS and CPU per job.
/// </summary>
internal static class AppHostBenchmark
{
    public const string Synopsis = "apphost [--repeats 3] [--jobs 8] [--rounds 2] [--preset medium]";

    /// <summary>The AppHost's default, passed explicitly so the benchmark knows how many replicas to wait for.</summary>
    private const int Replicas = 2;
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(10);
    // DCP stops every resource within about 10 s of the AppHost's exit; beyond this, what remains is left behind.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Missing() tells why off Linux too; the analyzer wants to see that check here.
        if (!OperatingSystem.IsLinux() || WorkerBenchmark.Rig.Missing() is not null)
        {
            await stderr.WriteLineAsync(WorkerBenchmark.Rig.Missing());
            return 2;
        }

        var repository = Repository();
        if (repository is null)
        {
            await stderr.WriteLineAsync("Mixillo.AppHost is not built (dotnet run --no-build runs its Debug build): run `dotnet build Mixillo.AppHost` first.");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("mixillo-apphostbench-").FullName;
        // PostgreSQL runs as the postgres user, which must be able to reach the data roots inside.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await stdout.WriteLineAsync(Invariant($"apphost benchmark: {settings.Repeats} cold and {settings.Repeats} warm starts, alternately, {Replicas} worker replicas; then {settings.Rounds} round(s) of telemetry off/on, {settings.Jobs} jobs each, 1 worker, preset {settings.Preset}; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
        await stdout.WriteLineAsync(Invariant($"command: env --default-signal=INT dotnet {string.Join(' ', AppHostProcess.Command(Path.Combine(root, "data-N"), 0, 0, 0, 0, Replicas))} (free ports for 0) in {repository}"));
        var starts = new List<StartResult>();
        var telemetry = new List<TelemetryRun>();
        try
        {
            for (var round = 1; round <= settings.Repeats; round++)
            {
                var dataRoot = Path.Combine(root, Invariant($"data-{round}"));
                foreach (var cold in new[] { true, false })
                {
                    Func<AppHostProcess, Task>? whileUp = !cold && round == settings.Repeats ? app => MeasureTelemetryAsync(app, settings, telemetry, stdout, cancellationToken) : null;
                    starts.Add(await StartStopAsync(repository, dataRoot, Invariant($"{(cold ? "cold" : "warm")} {round}"), cold, whileUp, stdout, cancellationToken));
                }
            }

            await stdout.WriteLineAsync(Invariant($"load average at the end {Machine.LoadAverage()}"));
            await stdout.WriteLineAsync();
            await stdout.WriteAsync(Summary(starts, telemetry, settings));
            var problems = starts.Sum(s => s.Stop.LeftBehind.Count + (s.Stop.ExitCode == 0 ? 0 : 1)) + telemetry.Sum(t => t.Run.Problems.Count);
            return problems == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>One start: healthy, idle memory, what <paramref name="whileUp"/> does, the stop; the app is stopped on every path.</summary>
    private static async Task<StartResult> StartStopAsync(
        string repository, string dataRoot, string label, bool cold, Func<AppHostProcess, Task>? whileUp, TextWriter stdout, CancellationToken cancellationToken)
    {
        var firstRun = !Directory.Exists(dataRoot);
        using var app = AppHostProcess.Start(repository, dataRoot, Replicas);
        try
        {
            var healthy = await app.WaitHealthyAsync(Replicas, HealthyTimeout, cancellationToken);
            var all = healthy.Values.Max();
            await stdout.WriteLineAsync(Invariant(
                $"{label}: all healthy at {all:0.0} s (AppHost started at {app.StartedSeconds:0.0} s; {string.Join(", ", healthy.OrderBy(h => h.Value).Select(h => Invariant($"{h.Key} {h.Value:0.0}")))}){(cold && !firstRun ? " NOTE: the data root existed" : "")}"));

            var started = StartTimes(app.Snapshot());
            await stdout.WriteLineAsync(Invariant($"{label}: processes started at (s after dotnet run): {string.Join(", ", started.Select(p => Invariant($"{p.Key} {p.Value:0.0}")))}"));

            var before = app.Snapshot().ToDictionary(p => (p.Pid, p.StartTicks), p => CpuSeconds(p.Pid));
            await Task.Delay(IdleTime, cancellationToken);
            var memory = Memory(app.Snapshot(), before);
            await stdout.WriteLineAsync(Invariant(
                $"{label}: the {IdleTime.TotalSeconds:0} s after, idle: {memory.Count} processes, RSS {memory.Sum(m => m.RssMb):0} MB, PSS {memory.Sum(m => m.PssMb):0} MB, CPU {memory.Sum(m => m.CpuSeconds):0.00} s; {string.Join("; ", memory.GroupBy(m => m.Label).Select(g => Invariant($"{g.Key} x{g.Count()} {g.Sum(m => m.RssMb):0}/{g.Sum(m => m.PssMb):0} MB {g.Sum(m => m.CpuSeconds):0.00} s")))}"));
            if (whileUp is not null)
            {
                await whileUp(app);
            }

            var stop = await app.InterruptAsync(StopTimeout);
            await stdout.WriteLineAsync(Invariant(
                $"{label}: SIGINT to the AppHost (pid {app.AppHostPid}{(stop.SigIntIgnored ? ", which IGNORED it" : "")}): it ended after {stop.AppHostGone:0.0} s, dotnet run exited after {stop.DotnetRunSeconds:0.0} s (code {stop.ExitCode}), {(stop.AllGone is { } gone ? Invariant($"all {stop.Processes} processes gone after {gone:0.0} s (the last: {stop.Last})") : Invariant($"NOT all of {stop.Processes} processes gone after {StopTimeout.TotalSeconds:0} s"))}; left behind: {(stop.LeftBehind.Count == 0 ? "none" : "killed " + string.Join(" | ", stop.LeftBehind))}"));
            foreach (var line in app.LogProblems().Distinct())
            {
                await stdout.WriteLineAsync($"{label}: the AppHost logged: {line}");
            }

            return new StartResult(label, cold, app.StartedSeconds, healthy, all, started, memory, stop);
        }
        finally
        {
            if (app.Stopped is null)
            {
                var stop = await app.InterruptAsync(StopTimeout);
                await stdout.WriteLineAsync(Invariant($"{label}: stopped after a failure; left behind: {(stop.LeftBehind.Count == 0 ? "none" : "killed " + string.Join(" | ", stop.LeftBehind))}"));
            }
        }
    }

    /// <summary>
    /// Each process's RSS and PSS, labelled by role (worker replicas numbered by PID), and its CPU (with reaped
    /// children's) since <paramref name="before"/> (a process that was not there then counts from its start).
    /// </summary>
    private static List<ProcessMemory> Memory(List<AppHostProcess.AppProcess> processes, Dictionary<(int Pid, long StartTicks), double> before)
    {
        var workers = processes.Where(p => p.Role == Roles.Worker).Select(p => p.Pid).Order().ToList();
        return [.. processes.Select(p => new ProcessMemory(
            p.Role == Roles.Worker ? Invariant($"worker {workers.IndexOf(p.Pid) + 1} (Mixillo.Worker)") : p.Role,
            Proc.StatusMb(p.Pid, "VmRSS") ?? 0,
            Proc.PssMb(p.Pid) ?? 0,
            CpuSeconds(p.Pid) - before.GetValueOrDefault((p.Pid, p.StartTicks))))];
    }

    private static double CpuSeconds(int pid) => Proc.ReadStat(pid) is { } stat ? stat.Self + stat.Children : 0;

    /// <summary>
    /// When the processes that make up the start-up were started, in seconds after <c>dotnet run</c> (from their
    /// start times in /proc): where the time to healthy goes.
    /// </summary>
    private static Dictionary<string, double> StartTimes(List<AppHostProcess.AppProcess> processes)
    {
        var origin = processes.First(p => p.Role == Roles.DotnetRun).StartTicks;
        double At(AppHostProcess.AppProcess p) => (p.StartTicks - origin) / (double)Proc.ClockTicks;
        double First(Func<AppHostProcess.AppProcess, bool> which) => processes.Where(which).Select(At).DefaultIfEmpty(double.NaN).Min();
        double Last(Func<AppHostProcess.AppProcess, bool> which) => processes.Where(which).Select(At).DefaultIfEmpty(double.NaN).Max();
        bool LaunchesA(AppHostProcess.AppProcess launcher, string role) => processes.Any(p => p.ParentPid == launcher.Pid && p.Role == role);
        return new Dictionary<string, double>
        {
            ["Mixillo.AppHost"] = First(p => p.Role == Roles.AppHost),
            ["DCP"] = First(p => p.Role == Roles.Dcp),
            ["dashboard"] = First(p => p.Role == Roles.Dashboard),
            ["postgres"] = First(p => p.Role == Roles.Postgres),
            ["redis"] = First(p => p.Role == Roles.Redis),
            ["dotnet run of api"] = First(p => p.Role == Roles.Launcher && LaunchesA(p, Roles.Api)),
            ["Mixillo.Api"] = First(p => p.Role == Roles.Api),
            ["dotnet run of workers (last)"] = Last(p => p.Role == Roles.Launcher && LaunchesA(p, Roles.Worker)),
            ["Mixillo.Worker (last)"] = Last(p => p.Role == Roles.Worker),
        };
    }

    /// <summary>
    /// Part 3, while the app runs: the worker verb's machinery (its own PostgreSQL, folder storage, one
    /// Mixillo.Worker process) with and without the telemetry variables of a worker replica.
    /// </summary>
    private static async Task MeasureTelemetryAsync(AppHostProcess app, Settings settings, List<TelemetryRun> results, TextWriter stdout, CancellationToken cancellationToken)
    {
        var processes = app.Snapshot();
        var replica = processes.First(p => p.Role == Roles.Worker);
        // Its replica id stays out: the benchmark's worker is a process of its own (host-pid instance id).
        var variables = Proc.Environment(replica.Pid)
            .Where(v => v.Key.StartsWith("OTEL_", StringComparison.Ordinal) && v.Key != "OTEL_RESOURCE_ATTRIBUTES")
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        await stdout.WriteLineAsync($"telemetry on: the OTEL_* variables the AppHost gave worker replica {replica.Pid}: {string.Join(' ', variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key + "=" + (v.Key == "OTEL_EXPORTER_OTLP_HEADERS" ? "(its API key)" : v.Value)))}; off: none of them");
        var dashboard = processes.First(p => p.Role == Roles.Dashboard);
        var apiKey = Proc.Environment(dashboard.Pid).GetValueOrDefault("DASHBOARD__API__PRIMARYAPIKEY");
        var receivers = processes.Where(p => p.Role is Roles.Dashboard or Roles.Dcp).Select(p => p.Pid).ToList();

        await using var rig = await WorkerBenchmark.Rig.StartAsync(stdout, cancellationToken);
        var workerSettings = new WorkerBenchmark.Settings(settings.Jobs, settings.Preset, StorageOptions.FileSystem, Otlp: null);
        for (var round = 1; round <= settings.Rounds; round++)
        {
            // off, on, then on, off: a drift in the machine's load does not fall on one side only.
            foreach (var on in round % 2 == 1 ? new[] { false, true } : [true, false])
            {
                var label = Invariant($"export {(on ? "on" : "off")}, round {round}");
                var before = receivers.Sum(pid => Proc.ReadStat(pid)?.Self ?? 0);
                var run = await rig.MeasureAsync(
                    Invariant($"otlp_{(on ? "on" : "off")}_{round}"), label, 1, on ? variables : new Dictionary<string, string>(), workerSettings, stdout, cancellationToken);
                var receiverCpu = receivers.Sum(pid => Proc.ReadStat(pid)?.Self ?? 0) - before;
                var received = await ReceivedAsync(app.DashboardUrl, apiKey, run.Processes[0].Pid, cancellationToken);
                await stdout.WriteLineAsync(Invariant($"{label}: the dashboard and DCP used {receiverCpu:0.0} CPU-s meanwhile; the dashboard holds from worker {run.Processes[0].Pid}: {received}"));
                results.Add(new TelemetryRun(on, round, run, receiverCpu, received));
            }
        }
    }

    /// <summary>What the dashboard's telemetry API (x-api-key) holds from the worker with this PID (instance id host-pid).</summary>
    private static async Task<string> ReceivedAsync(string dashboardUrl, string? apiKey, int pid, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(dashboardUrl), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey ?? "");
        try
        {
            var resources = await http.GetFromJsonAsync<List<TelemetryResource>>("/api/telemetry/resources", cancellationToken) ?? [];
            if (resources.FirstOrDefault(r => r.Name == "worker" && r.InstanceId == Invariant($"{Environment.MachineName}-{pid}")) is not { } resource)
            {
                return "nothing";
            }

            var logs = await http.GetFromJsonAsync<TelemetryCount>($"/api/telemetry/logs?resource={Uri.EscapeDataString(resource.DisplayName)}&limit=1", cancellationToken);
            var spans = await http.GetFromJsonAsync<TelemetryCount>($"/api/telemetry/spans?resource={Uri.EscapeDataString(resource.DisplayName)}&limit=1", cancellationToken);
            return Invariant($"{logs?.TotalCount} log records, {spans?.TotalCount} spans, {(resource.HasMetrics ? "metrics" : "no metrics")}");
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "unknown (" + ex.Message + ")";
        }
    }

    /// <summary>The repository root (where Mixillo.AppHost is), if its Debug build exists: the benchmark runs from its own bin folder inside it.</summary>
    private static string? Repository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Mixillo.AppHost", "Mixillo.AppHost.csproj")))
            {
                return File.Exists(Path.Combine(folder.FullName, "Mixillo.AppHost", "bin", "Debug", "net10.0", "Mixillo.AppHost.dll")) ? folder.FullName : null;
            }
        }

        return null;
    }

    private static string Summary(List<StartResult> starts, List<TelemetryRun> telemetry, Settings settings)
    {
        var text = new StringBuilder();
        var resources = new[] { "postgres", "redis", "api" }.Concat(Enumerable.Range(1, Replicas).Select(i => Invariant($"worker {i}"))).ToArray();
        text.AppendLine(Invariant($"Seconds from starting dotnet run until each resource first answered healthy, polled from outside every 0.2 s (PostgreSQL: a connection to the mixillo database; redis: PING; api and each worker replica: GET /health = 200 Healthy); \"AppHost started\" is its line \"Distributed application started\". Memory {IdleTime.TotalSeconds:0} s after all were healthy, every process of the app (MB = 10^6 bytes; PSS shares each shared page among the processes that map it, so PSS adds up and RSS does not), and its CPU over those {IdleTime.TotalSeconds:0} s. Stop: SIGINT to the Mixillo.AppHost process."));
        text.AppendLine();
        text.AppendLine($"| run | AppHost started | {string.Join(" | ", resources)} | all healthy s | processes | RSS MB | PSS MB | AppHost ended s | dotnet run exited s | all gone s | left behind |");
        text.AppendLine($"|---|{string.Concat(Enumerable.Repeat("---:|", resources.Length + 9))}");
        foreach (var s in starts)
        {
            text.AppendLine(Invariant(
                $"| {s.Label} | {s.AppHostStarted:0.0} | {string.Join(" | ", resources.Select(r => Invariant($"{s.Healthy.GetValueOrDefault(r, double.NaN):0.0}")))} | {s.AllHealthy:0.0} | {s.Memory.Count} | {s.Memory.Sum(m => m.RssMb):0} | {s.Memory.Sum(m => m.PssMb):0} | {s.Stop.AppHostGone:0.0} | {s.Stop.DotnetRunSeconds:0.0} | {(s.Stop.AllGone is { } gone ? Invariant($"{gone:0.0}") : "no")} | {s.Stop.LeftBehind.Count} |"));
        }

        foreach (var cold in new[] { true, false })
        {
            var kind = starts.Where(s => s.Cold == cold).ToList();
            double M(Func<StartResult, double?> value) => MediaBenchmark.Median(kind.Select(value).OfType<double>());
            text.AppendLine(Invariant(
                $"| **{(cold ? "cold" : "warm")}, median of {kind.Count}** | {M(s => s.AppHostStarted):0.0} | {string.Join(" | ", resources.Select(r => Invariant($"{M(s => s.Healthy.GetValueOrDefault(r, double.NaN)):0.0}")))} | **{M(s => s.AllHealthy):0.0}** | {M(s => s.Memory.Count):0} | {M(s => s.Memory.Sum(m => m.RssMb)):0} | {M(s => s.Memory.Sum(m => m.PssMb)):0} | {M(s => s.Stop.AppHostGone):0.0} | {M(s => s.Stop.DotnetRunSeconds):0.0} | {M(s => s.Stop.AllGone):0.0} | {kind.Sum(s => s.Stop.LeftBehind.Count)} |"));
        }

        text.AppendLine();
        text.AppendLine("When each process was started, in seconds after dotnet run (from /proc start times), medians:");
        text.AppendLine();
        var startKeys = starts[0].Started.Keys.ToList();
        text.AppendLine($"| start | {string.Join(" | ", startKeys)} |");
        text.AppendLine($"|---|{string.Concat(Enumerable.Repeat("---:|", startKeys.Count))}");
        foreach (var cold in new[] { true, false })
        {
            var kind = starts.Where(s => s.Cold == cold).ToList();
            text.AppendLine(Invariant($"| {(cold ? "cold" : "warm")} | {string.Join(" | ", startKeys.Select(k => Invariant($"{MediaBenchmark.Median(kind.Select(s => s.Started.GetValueOrDefault(k, double.NaN))):0.0}")))} |"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"Idle memory and CPU by role, median over the {starts.Count} runs:"));
        text.AppendLine();
        text.AppendLine("| processes of the app | count | RSS MB | PSS MB | idle CPU, % of one core |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var aspire = new[] { Roles.DotnetRun, Roles.AppHost, Roles.Dcp, Roles.Dashboard };
        var labels = starts.SelectMany(s => s.Memory.Select(m => m.Label)).Distinct().ToList();
        var services = labels.Where(l => !aspire.Contains(l) && l != Roles.Launcher).OrderBy(l => Array.IndexOf([Roles.Postgres, Roles.Redis, Roles.Api], l) is var i && i >= 0 ? i : 9).ThenBy(l => l, StringComparer.Ordinal).ToList();
        string Row(string name, Func<ProcessMemory, bool> which) => Invariant(
            $"| {name} | {MediaBenchmark.Median(starts.Select(s => (double)s.Memory.Count(which))):0} | {MediaBenchmark.Median(starts.Select(s => s.Memory.Where(which).Sum(m => m.RssMb))):0} | {MediaBenchmark.Median(starts.Select(s => s.Memory.Where(which).Sum(m => m.PssMb))):0} | {MediaBenchmark.Median(starts.Select(s => s.Memory.Where(which).Sum(m => m.CpuSeconds))) / IdleTime.TotalSeconds:P1} |");
        foreach (var label in aspire)
        {
            text.AppendLine(Row(label, m => m.Label == label));
        }

        text.AppendLine(Row("**Aspire: the four above**", m => aspire.Contains(m.Label)));
        text.AppendLine(Row(Roles.Launcher, m => m.Label == Roles.Launcher));
        foreach (var label in services)
        {
            text.AppendLine(Row(label, m => m.Label == label));
        }

        text.AppendLine(Row("**the services: postgres, redis, api, workers**", m => services.Contains(m.Label)));
        text.AppendLine(Row("**the whole app**", _ => true));

        if (telemetry.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"Telemetry: one Mixillo.Worker process (Release build, Concurrency 1) draining {settings.Jobs} jobs per run as in the worker verb, export on (to the dashboard of the last warm run) or off, interleaved; worker RSS sampled every 0.2 s; CPU from /proc (the worker itself; its ffmpeg and ffprobe children)."));
            text.AppendLine();
            text.AppendLine("| run | export | jobs | wall s | worker CPU s per job | ffmpeg/ffprobe CPU s per job | idle RSS MB | mean RSS MB | max RSS MB | VmHWM MB | dashboard + DCP CPU s | rest of the machine CPU s | the dashboard holds |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var t in telemetry)
            {
                var w = t.Run.Processes[0];
                text.AppendLine(Invariant(
                    $"| round {t.Round} | {(t.On ? "on" : "off")} | {t.Run.Completed}/{t.Run.Jobs} | {t.Run.WallSeconds:0.0} | {t.WorkerCpuPerJob:0.000} | {t.ChildrenCpuPerJob:0.00} | {w.IdleRssMb:0.0} | {w.MeanRssMb:0.0} | {w.MaxRssMb:0.0} | {w.PeakRssMb:0.0} | {t.ReceiverCpu:0.0} | {t.Run.RestCpuSeconds:0.0} | {t.Received} |"));
            }

            text.AppendLine();
            text.AppendLine("| export | runs | worker CPU s per job | ffmpeg/ffprobe CPU s per job | idle RSS MB | mean RSS MB | max RSS MB | VmHWM MB | dashboard + DCP CPU s per job |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            var medians = new Dictionary<bool, double[]>();
            foreach (var on in new[] { false, true })
            {
                var runs = telemetry.Where(t => t.On == on).ToList();
                double M(Func<TelemetryRun, double> value) => MediaBenchmark.Median(runs.Select(value));
                medians[on] = [M(t => t.WorkerCpuPerJob), M(t => t.ChildrenCpuPerJob), M(t => t.Run.Processes[0].IdleRssMb), M(t => t.Run.Processes[0].MeanRssMb), M(t => t.Run.Processes[0].MaxRssMb), M(t => t.Run.Processes[0].PeakRssMb), M(t => t.ReceiverCpu / t.Run.Finished.Count)];
                var v = medians[on];
                text.AppendLine(Invariant($"| {(on ? "on" : "off")}, median | {runs.Count} | {v[0]:0.000} | {v[1]:0.00} | {v[2]:0.0} | {v[3]:0.0} | {v[4]:0.0} | {v[5]:0.0} | {v[6]:0.000} |"));
            }

            var r = medians[true].Zip(medians[false], (a, b) => a / b).ToArray();
            text.AppendLine(Invariant($"| **on / off** | | **{r[0]:0.00}** | {r[1]:0.00} | {r[2]:0.00} | {r[3]:0.00} | **{r[4]:0.00}** | {r[5]:0.00} | {r[6]:0.00} |"));
        }

        var left = starts.Sum(s => s.Stop.LeftBehind.Count);
        var problems = telemetry.Sum(t => t.Run.Problems.Count);
        text.AppendLine();
        text.AppendLine(left == 0 ? "Every stop left nothing behind." : Invariant($"{left} process(es) were left behind after a stop and killed: see the lines above."));
        text.AppendLine(problems == 0 ? "Every telemetry job completed with no error; every worker stopped with exit code 0 and logged no warning." : Invariant($"{problems} problem(s) in the telemetry runs: see the PROBLEM lines above."));
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record ProcessMemory(string Label, double RssMb, double PssMb, double CpuSeconds);

    private sealed record StartResult(
        string Label, bool Cold, double? AppHostStarted, Dictionary<string, double> Healthy, double AllHealthy, Dictionary<string, double> Started, List<ProcessMemory> Memory, AppHostProcess.StopResult Stop);

    private sealed record TelemetryRun(bool On, int Round, WorkerBenchmark.Run Run, double ReceiverCpu, string Received)
    {
        public double WorkerCpuPerJob => Run.WorkersCpuSeconds / Run.Finished.Count;

        public double ChildrenCpuPerJob => Run.ChildrenCpuSeconds / Run.Finished.Count;
    }

    private sealed record TelemetryResource(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("instanceId")] string? InstanceId,
        [property: JsonPropertyName("displayName")] string DisplayName,
        [property: JsonPropertyName("hasMetrics")] bool HasMetrics);

    private sealed record TelemetryCount([property: JsonPropertyName("totalCount")] int TotalCount);

    internal sealed record Settings(int Repeats, int Jobs, int Rounds, string Preset)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--repeats", "--jobs", "--rounds", "--preset");
            return new Settings(
                options.Int("--repeats", 3, min: 1),
                options.Int("--jobs", 8, min: 1),
                options.Int("--rounds", 2, min: 1),
                options.OneOf("--preset", "medium", [.. Mixillo.Media.TranscodeOptions.Presets]));
        }
    }
}
