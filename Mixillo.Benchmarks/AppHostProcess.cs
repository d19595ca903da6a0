using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Mixillo.TestServers;
using Npgsql;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>dotnet run --project Mixillo.AppHost --no-build</c> as a developer runs it, from the repository root, and what
/// it starts: the app is every process below that <c>dotnet run</c> and below the DCP that watches its AppHost
/// (<c>dcp start-apiserver --monitor PID</c>: DCP detaches, so its processes are not the AppHost's children). Ports
/// are free ones (the launch profile's dashboard ports are overridden on the command line, which wins over it).
/// </summary>
internal sealed partial class AppHostProcess : HostProcess
{
    private const int SigInt = 2;
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private int? _dcp;

    // A shell that puts a job in the background without job control starts it with SIGINT ignored, and every
    // process below inherits that: the AppHost would not stop on SIGINT. env puts it back to its default, as in a
    // terminal, and execs dotnet (same PID).
    private AppHostProcess(string repository, string dataRoot, int apiPort, int dashboardPort, int otlpPort, int resourcePort, int replicas)
        : base("env", ["--default-signal=INT", "dotnet", .. Command(dataRoot, apiPort, dashboardPort, otlpPort, resourcePort, replicas)], new Dictionary<string, string>(), repository)
    {
        DataRoot = dataRoot;
        ApiUrl = Invariant($"http://127.0.0.1:{apiPort}");
        DashboardUrl = Invariant($"http://localhost:{dashboardPort}");
    }

    public string DataRoot { get; }

    public string ApiUrl { get; }

    public string DashboardUrl { get; }

    /// <summary>Since just before the process started (initialized before the base constructor starts it).</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>When the AppHost printed "Distributed application started" (DCP and the dashboard are up; resources start).</summary>
    public double? StartedSeconds { get; private set; }

    /// <summary>The Mixillo.AppHost process under <c>dotnet run</c>, once seen.</summary>
    public int? AppHostPid { get; private set; }

    public StopResult? Stopped { get; private set; }

    /// <summary>The arguments after <c>dotnet</c>, as the header of the run prints them.</summary>
    public static string[] Command(string dataRoot, int apiPort, int dashboardPort, int otlpPort, int resourcePort, int replicas) =>
    [
        "run", "--project", "Mixillo.AppHost", "--no-build", "--",
        "--Mixillo:DataRoot=" + dataRoot,
        Invariant($"--Mixillo:ApiPort={apiPort}"),
        Invariant($"--Mixillo:Workers={replicas}"),
        Invariant($"--ASPNETCORE_URLS=http://localhost:{dashboardPort}"),
        Invariant($"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{otlpPort}"),
        Invariant($"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{resourcePort}"),
    ];

    public static AppHostProcess Start(string repository, string dataRoot, int replicas) =>
        new(repository, dataRoot, ChildProcess.FreePort(), ChildProcess.FreePort(), ChildProcess.FreePort(), ChildProcess.FreePort(), replicas);

    /// <summary>Every process of the app now, with its role.</summary>
    public List<AppProcess> Snapshot()
    {
        var stats = new Dictionary<int, Proc.Stat>();
        foreach (var pid in Proc.Pids())
        {
            if (Proc.ReadStat(pid) is { Live: true } stat)
            {
                stats[pid] = stat;
            }
        }

        var children = stats.ToLookup(p => p.Value.ParentPid, p => p.Key);
        AppHostPid ??= children[Pid].Where(pid => Runs(Proc.CommandLine(pid), "Mixillo.AppHost")).Select(pid => (int?)pid).FirstOrDefault();
        if (AppHostPid is { } host && (_dcp is null || !stats.ContainsKey(_dcp.Value)))
        {
            var monitor = host.ToString(CultureInfo.InvariantCulture);
            _dcp = stats.Keys.Where(pid => Proc.CommandLine(pid) is var line && IsDcp(line) && line.Contains("start-apiserver") && line.SkipWhile(a => a != "--monitor").Skip(1).FirstOrDefault() == monitor)
                .Select(pid => (int?)pid).FirstOrDefault();
        }

        var found = new List<AppProcess>();
        var queue = new Queue<int>(_dcp is { } dcp ? [Pid, dcp] : [Pid]);
        while (queue.TryDequeue(out var pid))
        {
            if (!stats.TryGetValue(pid, out var stat) || found.Any(p => p.Pid == pid))
            {
                continue;
            }

            var line = Proc.CommandLine(pid);
            found.Add(new AppProcess(pid, stat.StartTicks, stat.ParentPid, Role(pid, line), line));
            foreach (var child in children[pid])
            {
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>
    /// Polls from outside until PostgreSQL takes a connection to the mixillo database, redis-server answers PING, and
    /// the API and each worker replica answer <c>/health</c> with 200 Healthy (their checks cover the store, storage,
    /// ffmpeg and, for a worker, its heartbeat loop); then checks them all once more together. Returns when each
    /// first answered, in seconds since the start.
    /// </summary>
    public async Task<Dictionary<string, double>> WaitHealthyAsync(int replicas, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var first = new Dictionary<string, double>();
        // Each resource is checked on its own: a check that hangs (the API's port accepts before the API answers)
        // does not hold up the others' next tries, so each time is within about one poll of the truth.
        var running = new Dictionary<string, Task<(bool Ok, double At)>>();
        using var http = new HttpClient { Timeout = CheckTimeout };
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException(Invariant($"the AppHost exited with code {Process.ExitCode} before it was healthy:\n{Tail()}"));
            }

            var checks = Checks(Snapshot(), http);
            if (Clock.Elapsed > timeout)
            {
                throw new TimeoutException(Invariant($"not healthy after {timeout.TotalSeconds:0} s: {string.Join(", ", checks.Keys.Where(k => !first.ContainsKey(k)))} (and {replicas + 3 - checks.Count} not started):\n{Tail()}"));
            }

            foreach (var (name, check) in checks.Where(c => !first.ContainsKey(c.Key) && !running.ContainsKey(c.Key)))
            {
                running[name] = TimedAsync(check, cancellationToken);
            }

            foreach (var (name, done) in running.Where(r => r.Value.IsCompleted).ToList())
            {
                running.Remove(name);
                if (await done is (true, var at))
                {
                    first[name] = at;
                }
            }

            if (checks.Count == replicas + 3 && checks.Keys.All(first.ContainsKey))
            {
                var again = await Task.WhenAll(checks.Select(async c => (c.Key, Ok: await TryAsync(c.Value, cancellationToken))));
                if (again.All(r => r.Ok))
                {
                    // Replicas by PID: worker 1, worker 2, ...
                    var workers = first.Keys.Where(k => k.StartsWith("worker ", StringComparison.Ordinal)).OrderBy(k => int.Parse(k["worker ".Length..], CultureInfo.InvariantCulture)).ToList();
                    return first.ToDictionary(p => workers.Contains(p.Key) ? Invariant($"worker {workers.IndexOf(p.Key) + 1}") : p.Key, p => p.Value);
                }

                // Healthy once, not now: its time counts from when it is healthy again.
                again.Where(r => !r.Ok).ToList().ForEach(r => first.Remove(r.Key));
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// SIGINT to the AppHost, as Ctrl+C; then waits for <c>dotnet run</c> to exit and for every process of the app to
    /// end. What is still there after <paramref name="timeout"/> (or runs with the data root or watches this AppHost)
    /// is killed by PID and reported.
    /// </summary>
    public async Task<StopResult> InterruptAsync(TimeSpan timeout)
    {
        if (Stopped is not null)
        {
            return Stopped;
        }

        var processes = Snapshot();
        var ignored = AppHostPid is { } host && Proc.Ignores(host, SigInt);
        var clock = Stopwatch.StartNew();
        // Before the AppHost is seen there is nothing to interrupt: SIGTERM to dotnet run.
        var exit = AppHostPid is { } target ? StopAsync(target, "INT", timeout) : StopAsync(timeout);
        double? hostGone = null;
        double? allGone = null;
        var last = processes;
        while (clock.Elapsed < timeout)
        {
            var alive = processes.Where(p => p.Alive).ToList();
            hostGone ??= alive.Any(p => p.Pid == AppHostPid) ? null : clock.Elapsed.TotalSeconds;
            if (alive.Count == 0)
            {
                allGone = clock.Elapsed.TotalSeconds;
                break;
            }

            last = alive;
            await Task.Delay(100, CancellationToken.None);
        }

        var (exitCode, runSeconds) = await exit;
        var monitor = AppHostPid?.ToString(CultureInfo.InvariantCulture);
        var left = processes.Where(p => p.Alive).Select(p => (p.Pid, p.CommandLine)).ToList();
        left.AddRange(Proc.Pids().Where(pid => left.All(l => l.Pid != pid) && Proc.ReadStat(pid) is { Live: true })
            .Select(pid => (Pid: pid, CommandLine: Proc.CommandLine(pid)))
            .Where(p => string.Join(' ', p.CommandLine).Contains(DataRoot, StringComparison.Ordinal) || (monitor is not null && IsDcp(p.CommandLine) && p.CommandLine.Contains(monitor))));
        foreach (var (pid, _) in left)
        {
            ChildProcess.Signal(pid, "KILL");
        }

        Stopped = new StopResult(ignored, hostGone, runSeconds, exitCode, allGone, processes.Count, string.Join(", ", last.Select(p => p.Role).Distinct()),
            [.. left.Select(l => Invariant($"{l.Pid} {string.Join(' ', l.CommandLine)}"))]);
        return Stopped;
    }

    private Dictionary<string, Func<CancellationToken, Task<bool>>> Checks(List<AppProcess> processes, HttpClient http)
    {
        var checks = new Dictionary<string, Func<CancellationToken, Task<bool>>> { ["api"] = token => HealthyAsync(http, ApiUrl, token) };
        foreach (var process in processes)
        {
            if (process.Role == Roles.Postgres && processes.All(p => p.Pid != process.ParentPid || p.Role != Roles.Postgres)
                && Proc.Environment(process.Pid).TryGetValue("PGPORT", out var pgPort))
            {
                checks["postgres"] = token => PostgresAsync(pgPort, token);
            }
            else if (process.Role == Roles.Redis && RedisPort(process.CommandLine) is { } redisPort)
            {
                checks["redis"] = token => PingAsync(redisPort, token);
            }
            else if (process.Role == Roles.Worker && WorkerUrl(Proc.Environment(process.Pid)) is { } url)
            {
                checks[Invariant($"worker {process.Pid}")] = token => HealthyAsync(http, url, token);
            }
        }

        return checks;
    }

    /// <summary>The check's answer and when it came, in seconds since the start.</summary>
    private async Task<(bool Ok, double At)> TimedAsync(Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken) =>
        (await TryAsync(check, cancellationToken), Clock.Elapsed.TotalSeconds);

    private static async Task<bool> TryAsync(Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CheckTimeout);
        try
        {
            return await check(limit.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or SocketException or IOException or NpgsqlException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static async Task<bool> HealthyAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(baseUrl + "/health", cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync(cancellationToken) == "Healthy";
    }

    /// <summary>What the AppHost's own check does: a connection to the mixillo database (as its services use it).</summary>
    private static async Task<bool> PostgresAsync(string port, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=mixillo;Pooling=false;Timeout=2");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    private static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var answer = new byte[16];
        var read = await stream.ReadAsync(answer, cancellationToken);
        return Encoding.ASCII.GetString(answer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    /// <summary>redis-server's own port: <c>--port N</c> until it renames itself "redis-server 127.0.0.1:N".</summary>
    private static int? RedisPort(string[] commandLine)
    {
        var port = commandLine.SkipWhile(a => a != "--port").Skip(1).FirstOrDefault() ?? HostPort().Match(string.Join(' ', commandLine)).Groups[1].Value;
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Where DCP told the replica to listen: ASPNETCORE_URLS, else HTTP_PORTS.</summary>
    private static string? WorkerUrl(Dictionary<string, string> environment) =>
        environment.TryGetValue("ASPNETCORE_URLS", out var urls) && urls.Split(';', StringSplitOptions.RemoveEmptyEntries) is [var url, ..] ? url.TrimEnd('/')
        : environment.TryGetValue("HTTP_PORTS", out var ports) && ports.Split(';', StringSplitOptions.RemoveEmptyEntries) is [var port, ..] ? "http://localhost:" + port
        : null;

    private string Role(int pid, string[] commandLine) =>
        pid == Pid ? Roles.DotnetRun
        : pid == AppHostPid ? Roles.AppHost
        : string.Join(' ', commandLine).Contains("aspire.dashboard", StringComparison.OrdinalIgnoreCase) ? Roles.Dashboard
        : IsDcp(commandLine) ? Roles.Dcp
        : commandLine is [var file, "run", ..] && Path.GetFileName(file) == "dotnet" ? Roles.Launcher
        : Runs(commandLine, "Mixillo.Api") ? Roles.Api
        : Runs(commandLine, "Mixillo.Worker") ? Roles.Worker
        : string.Join(' ', commandLine).Contains("redis-server", StringComparison.Ordinal) ? Roles.Redis
        : commandLine is [var first, ..] && (first.StartsWith("postgres", StringComparison.Ordinal) || first.EndsWith("/bin/postgres", StringComparison.Ordinal)) ? Roles.Postgres
        : "other: " + Path.GetFileName(commandLine.FirstOrDefault() ?? "?");

    private static bool IsDcp(string[] commandLine) => string.Join(' ', commandLine).Contains("aspire.hosting.orchestration", StringComparison.OrdinalIgnoreCase);

    /// <summary>The program's own executable (what <c>dotnet run</c> starts) or <c>dotnet PROGRAM.dll</c>.</summary>
    private static bool Runs(string[] commandLine, string program) =>
        commandLine is [var file, ..] && (file.EndsWith("/" + program, StringComparison.Ordinal) || commandLine.Any(a => a.EndsWith("/" + program + ".dll", StringComparison.Ordinal)));

    protected override void OnLine(string line)
    {
        if (StartedSeconds is null && line.Contains("Distributed application started", StringComparison.Ordinal))
        {
            StartedSeconds = Clock.Elapsed.TotalSeconds;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@":(\d+)")]
    private static partial Regex HostPort();

    /// <summary>What each process of the app is there for.</summary>
    public static class Roles
    {
        public const string DotnetRun = "dotnet run (the developer's command)";
        public const string AppHost = "Mixillo.AppHost";
        public const string Dcp = "DCP (dcp apiserver, controllers, a process monitor per resource)";
        public const string Dashboard = "Aspire dashboard";
        public const string Launcher = "dotnet run per project (DCP starts api and workers through it)";
        public const string Postgres = "postgres (server and backends)";
        public const string Redis = "redis-server";
        public const string Api = "api (Mixillo.Api)";
        public const string Worker = "worker (Mixillo.Worker)";
    }

    public sealed record AppProcess(int Pid, long StartTicks, int ParentPid, string Role, string[] CommandLine)
    {
        /// <summary>The same process (PID and start time) still runs.</summary>
        public bool Alive => Proc.ReadStat(Pid) is { Live: true } stat && stat.StartTicks == StartTicks;
    }

    /// <param name="SigIntIgnored">The AppHost ignored SIGINT (it should not: see the constructor).</param>
    /// <param name="AppHostGone">Seconds from SIGINT until the AppHost process ended.</param>
    /// <param name="DotnetRunSeconds">Until <c>dotnet run</c> exited (with <paramref name="ExitCode"/>; -1: killed).</param>
    /// <param name="AllGone">Until the last process of the app ended; null if some had to be killed.</param>
    /// <param name="Last">The roles of the processes that ended last.</param>
    public sealed record StopResult(bool SigIntIgnored, double? AppHostGone, double DotnetRunSeconds, int ExitCode, double? AllGone, int Processes, string Last, List<string> LeftBehind);
}
