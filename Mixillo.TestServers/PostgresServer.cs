using System.Diagnostics;
using System.Globalization;

namespace Mixillo.TestServers;

/// <summary>
/// A throwaway PostgreSQL (Debian's server binaries): its own data folder under /tmp, a free port on
/// 127.0.0.1, fsync off, stopped by PID and deleted when disposed. As root it runs as the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "postgres";
    private readonly string _bin;
    private readonly string _folder;
    private Process? _server;

    private PostgresServer(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string DataFolder => Path.Combine(_folder, "data");

    public int? Pid => _server is { HasExited: false } server ? server.Id : null;

    /// <summary>A connection string for <paramref name="database"/>; with <paramref name="schema"/>, tables land in that schema.</summary>
    public string ConnectionString(string database = "postgres", string? schema = null) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Timeout=5;Command Timeout=30")
        + (schema is null ? "" : $";Search Path={schema}");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBinaries();
        var folder = Directory.CreateTempSubdirectory("mixillo-pg-").FullName;
        var server = new PostgresServer(bin, folder, ChildProcess.FreePort());
        try
        {
            if (ChildProcess.IsRoot)
            {
                await ChildProcess.RunAsync("chown", [$"{User}:{User}", folder], cancellationToken);
            }

            var (file, args) = ChildProcess.As(User, Path.Combine(bin, "initdb"),
                "-D", server.DataFolder, "-U", User, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8");
            await ChildProcess.RunAsync(file, args, cancellationToken);
            await server.StartAgainAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port and data.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var (file, args) = ChildProcess.As(User, Path.Combine(_bin, "postgres"),
            "-D", DataFolder,
            "-c", "listen_addresses=127.0.0.1",
            "-c", string.Create(CultureInfo.InvariantCulture, $"port={Port}"),
            "-c", $"unix_socket_directories={_folder}",
            "-c", "fsync=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=200");
        _server = ChildProcess.Start(file, args);
        _ = _server.StandardOutput.ReadToEndAsync(CancellationToken.None);
        _ = _server.StandardError.ReadToEndAsync(CancellationToken.None);
        await ChildProcess.WaitUntilAsync(
            async () =>
            {
                if (_server.HasExited)
                {
                    throw new InvalidOperationException($"postgres exited with {_server.ExitCode} while starting.");
                }

                using var ready = ChildProcess.Start(Path.Combine(_bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture)]);
                await ready.WaitForExitAsync(cancellationToken);
                return ready.ExitCode == 0;
            },
            TimeSpan.FromSeconds(30),
            "PostgreSQL to accept connections");
    }

    /// <summary>Stops the server by PID with a fast shutdown (SIGINT: clients are disconnected at once).</summary>
    public async Task StopAsync()
    {
        if (_server is not { HasExited: false } server)
        {
            return;
        }

        ChildProcess.Signal(server.Id, "INT");
        try
        {
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("No PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql).");
    }
}
