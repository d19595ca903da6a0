// Over 300 lines on purpose: bringing up a monitor, an OSD and a gateway, and stopping them again, is one recipe
// (the shared servers.md, step by step), kept in one place so it can be checked against that document.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Mixillo.TestServers;

/// <summary>
/// A throwaway S3 server: Ceph's radosgw over one monitor and one in-memory (memstore) OSD, no manager,
/// no auth between the daemons (S3 signatures are still checked). Everything lives in a temp folder, the
/// monitor and the gateway listen on free 127.0.0.1 ports, the daemons are stopped by PID (gateway, OSD,
/// monitor, in that order) and the folder is deleted when disposed. See the shared servers.md.
/// </summary>
public sealed class CephS3Server : IAsyncDisposable
{
    /// <summary>The memstore cap: the OSD keeps every object in RAM, so keep it modest.</summary>
    private const long OsdBytes = 1L << 30;
    private const string GatewayName = "client.rgw.a";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly string _folder;
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private Daemon? _monitor;
    private Daemon? _osd;
    private Daemon? _gateway;
    private bool _disposed;

    private CephS3Server(string folder, int monitorPort, int gatewayPort)
    {
        _folder = folder;
        MonitorPort = monitorPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>The S3 endpoint (path-style requests; ForcePathStyle with the AWS SDK).</summary>
    public string ServiceUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{GatewayPort}");

    public string AccessKey { get; } = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20);

    public string SecretKey { get; } = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);

    /// <summary>radosgw accepts any region in SigV4 for its default zonegroup; this is the SDK's usual one.</summary>
    public string Region => "us-east-1";

    /// <summary>The radosgw user that owns <see cref="AccessKey"/>.</summary>
    public string UserId => "mixillo";

    public int GatewayPort { get; }

    public int MonitorPort { get; }

    /// <summary>The temp folder holding the config, the monitor's store, run files and logs.</summary>
    public string Folder => _folder;

    /// <summary>The ceph.conf for the ceph, radosgw-admin and rados command-line tools (-c).</summary>
    public string ConfigPath => Path.Combine(_folder, "ceph.conf");

    public string LogFolder => Path.Combine(_folder, "log");

    public int? MonitorPid => _monitor?.Pid;

    public int? OsdPid => _osd?.Pid;

    public int? GatewayPid => _gateway?.Pid;

    public static async Task<CephS3Server> StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var tool in new[] { "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "monmaptool" })
        {
            if (FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is not installed (apt-get install --no-install-recommends ceph-mon ceph-osd radosgw ceph-common).");
            }
        }

        var monitorPort = ChildProcess.FreePort();
        var gatewayPort = ChildProcess.FreePort();
        while (gatewayPort == monitorPort)
        {
            gatewayPort = ChildProcess.FreePort();
        }

        var server = new CephS3Server(Directory.CreateTempSubdirectory("mixillo-s3-").FullName, monitorPort, gatewayPort);
        try
        {
            await server.CreateClusterAsync(cancellationToken);
            await server.StartGatewayAsync(cancellationToken);
            await server.RunAsync("radosgw-admin",
                ["-c", server.ConfigPath, "user", "create", $"--uid={server.UserId}", $"--display-name={server.UserId}",
                 $"--access-key={server.AccessKey}", $"--secret-key={server.SecretKey}"],
                cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts radosgw (again, after <see cref="StopGatewayAsync"/>) on the same port; the data is kept by the OSD.</summary>
    public async Task StartGatewayAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_gateway is { Exited: false })
        {
            return;
        }

        _gateway?.Process.Dispose();
        _gateway = Daemon.Start("radosgw", GatewayName, LogFolder, "-c", ConfigPath, "-n", GatewayName, "-f");
        await WaitForAsync(_gateway, $"radosgw to answer HTTP on {ServiceUrl}", async () =>
        {
            try
            {
                using var response = await _probe.GetAsync(ServiceUrl, cancellationToken);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }, cancellationToken);
    }

    /// <summary>Stops only radosgw, by PID: the port refuses connections until <see cref="StartGatewayAsync"/>.</summary>
    public Task StopGatewayAsync() => StopAsync(_gateway);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // The gateway first, then the OSD (it tells the monitor it is going; without a monitor it waits
        // for it), then the monitor. Each is stopped even when stopping another one failed.
        var errors = new List<Exception>();
        foreach (var daemon in new[] { _gateway, _osd, _monitor })
        {
            try
            {
                await StopAsync(daemon);
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }

            daemon?.Process.Dispose();
        }

        (_gateway, _osd, _monitor) = (null, null, null);
        _probe.Dispose();
        Directory.Delete(_folder, recursive: true);
        if (errors.Count > 0)
        {
            throw new AggregateException("Stopping the Ceph daemons failed.", errors);
        }
    }

    private async Task CreateClusterAsync(CancellationToken cancellationToken)
    {
        foreach (var sub in new[] { "run", "log", "mon/a", "osd/0", "rgw" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, sub));
        }

        var fsid = Guid.NewGuid().ToString();
        var monitorAddress = string.Create(CultureInfo.InvariantCulture, $"v2:127.0.0.1:{MonitorPort}");
        await File.WriteAllTextAsync(ConfigPath, Config(fsid, monitorAddress), cancellationToken);

        var monmap = Path.Combine(_folder, "monmap");
        await RunAsync("monmaptool", ["--create", "--addv", "a", $"[{monitorAddress}]", "--fsid", fsid, monmap], cancellationToken);
        await RunAsync("ceph-mon", ["-c", ConfigPath, "--mkfs", "-i", "a", "--monmap", monmap], cancellationToken);
        _monitor = Daemon.Start("ceph-mon", "mon.a", LogFolder, "-c", ConfigPath, "-i", "a", "-f");
        await WaitForAsync(_monitor, "the monitor to answer (ceph -s)",
            async () => await TryRunAsync("ceph", ["-c", ConfigPath, "--connect-timeout", "3", "-s"], cancellationToken) is not null,
            cancellationToken);

        var osdUuid = Guid.NewGuid().ToString();
        var osdId = (await RunAsync("ceph", ["-c", ConfigPath, "--connect-timeout", "10", "osd", "new", osdUuid], cancellationToken)).Trim();
        if (osdId != "0")
        {
            throw new InvalidOperationException($"ceph osd new gave OSD id '{osdId}', expected 0.");
        }

        await RunAsync("ceph-osd", ["-c", ConfigPath, "-i", "0", "--mkfs", "--osd-uuid", osdUuid], cancellationToken);
        _osd = Daemon.Start("ceph-osd", "osd.0", LogFolder, "-c", ConfigPath, "-i", "0", "-f");
        await WaitForAsync(_osd, "the OSD to be up (ceph osd stat)", async () =>
        {
            var stat = await TryRunAsync("ceph", ["-c", ConfigPath, "--connect-timeout", "3", "osd", "stat", "--format", "json"], cancellationToken);
            using var json = stat is null ? null : JsonDocument.Parse(stat);
            return json is not null && json.RootElement.GetProperty("num_up_osds").GetInt32() == 1;
        }, cancellationToken);
    }

    private string Config(string fsid, string monitorAddress) => string.Create(CultureInfo.InvariantCulture, $"""
        [global]
        fsid = {fsid}
        mon host = {monitorAddress}
        mon initial members = a
        public network = 127.0.0.0/8
        ms bind ipv4 = true
        ms bind ipv6 = false
        auth cluster required = none
        auth service required = none
        auth client required = none
        osd pool default size = 1
        osd pool default min size = 1
        osd pool default pg num = 8
        osd pool default pgp num = 8
        osd pool default pg autoscale mode = off
        mon allow pool size one = true
        # The monitor stops itself when its disk has less free space than this (percent); the default is 5.
        mon data avail warn = 2
        mon data avail crit = 1
        mon warn on pool no redundancy = false
        # One monitor: propose at once instead of batching for 1 s. radosgw's first start creates pools
        # one proposal at a time, which took about 9 s with the default and about 0.5 s with this.
        paxos propose interval = 0.01
        osd crush chooseleaf type = 0
        run dir = {_folder}/run
        admin socket = {_folder}/run/$name.asok
        log file = {_folder}/log/$name.log
        pid file = {_folder}/run/$name.pid
        [mon.a]
        mon data = {_folder}/mon/a
        [osd.0]
        osd data = {_folder}/osd/0
        osd objectstore = memstore
        memstore device bytes = {OsdBytes}
        [{GatewayName}]
        rgw frontends = beast endpoint=127.0.0.1:{GatewayPort}
        # Without these two radosgw loops on "get_initial_auth_request returned -13".
        ms mon client mode = crc
        auth client required = none
        rgw data = {_folder}/rgw
        rgw dns name = localhost
        rgw init timeout = 60
        rgw thread pool size = 64

        """);

    /// <summary>Polls <paramref name="ready"/> while <paramref name="daemon"/> runs; a daemon exit or a timeout throws with its log tail.</summary>
    private static async Task WaitForAsync(Daemon daemon, string what, Func<Task<bool>> ready, CancellationToken cancellationToken)
    {
        try
        {
            await ChildProcess.WaitUntilAsync(
                async () =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (daemon.Exited)
                    {
                        await daemon.Process.WaitForExitAsync(CancellationToken.None); // its last output lines
                        throw new InvalidOperationException($"{daemon.Name} exited with {daemon.ExitCode} while waiting for {what}.{daemon.Tail()}");
                    }

                    return await ready();
                },
                StepTimeout,
                what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + daemon.Tail(), ex);
        }
    }

    /// <summary>Runs a command with a timeout (killed when it passes); throws with its output when it fails.</summary>
    private async Task<string> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        using var process = ChildProcess.Start(file, args);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {CommandTimeout.TotalSeconds:0} s: {await stderr}{await stdout}{LogTails()}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}{LogTails()}");
        }

        return await stdout;
    }

    /// <summary>A probe: the command's output, or null when it failed or timed out.</summary>
    private async Task<string?> TryRunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(file, args, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }

    private string LogTails() => string.Concat(new[] { _monitor, _osd, _gateway }.OfType<Daemon>().Select(d => d.Tail()));

    /// <summary>SIGTERM by PID, then SIGKILL if the daemon is still there after <see cref="StopTimeout"/>.</summary>
    private static async Task StopAsync(Daemon? daemon)
    {
        if (daemon is null)
        {
            return;
        }

        if (!daemon.Exited)
        {
            ChildProcess.Signal(daemon.Process.Id, "TERM");
            try
            {
                await daemon.Process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                daemon.Process.Kill(entireProcessTree: true);
                await daemon.Process.WaitForExitAsync();
            }
        }

        // WaitForExitAsync returns once the process is reaped and its output drained.
        await daemon.Process.WaitForExitAsync();
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>A Ceph daemon run in the foreground (-f): its process, log file and last lines of output.</summary>
    private sealed class Daemon
    {
        private const int KeptLines = 40;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly string _logFile;

        private Daemon(string name, Process process, string logFile)
        {
            Name = name;
            Process = process;
            _logFile = logFile;
        }

        public string Name { get; }

        public Process Process { get; }

        public bool Exited => Process.HasExited;

        public int ExitCode => Process.ExitCode;

        public int? Pid => Exited ? null : Process.Id;

        public static Daemon Start(string file, string name, string logFolder, params string[] args)
        {
            var process = ChildProcess.Start(file, args);
            var daemon = new Daemon(name, process, Path.Combine(logFolder, name + ".log"));
            process.OutputDataReceived += (_, e) => daemon.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => daemon.Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return daemon;
        }

        /// <summary>The last lines of the daemon's output and of its log file, for exception messages.</summary>
        public string Tail()
        {
            string[] log;
            try
            {
                log = File.Exists(_logFile) ? File.ReadLines(_logFile).TakeLast(KeptLines).ToArray() : [];
            }
            catch (IOException)
            {
                log = [];
            }

            return $"\n--- {Name} output ---\n{string.Join('\n', _output)}\n--- {Name} log ({_logFile}) ---\n{string.Join('\n', log)}";
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            _output.Enqueue(line);
            while (_output.Count > KeptLines && _output.TryDequeue(out _))
            {
            }
        }
    }
}
