using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Mixillo.TestServers;

/// <summary>
/// A throwaway <c>redis-server</c> (Debian's): a free port on 127.0.0.1, no persistence, its own folder under /tmp;
/// stopped by PID (and can be started again on the same port) and deleted when disposed.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _folder;
    private Process? _server;

    private RedisServer(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("mixillo-redis-").FullName, ChildProcess.FreePort());
        try
        {
            await server.StartAgainAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        _server?.Dispose();
        _server = ChildProcess.Start("redis-server", ["--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", _folder]);
        _ = _server.StandardOutput.ReadToEndAsync(CancellationToken.None);
        _ = _server.StandardError.ReadToEndAsync(CancellationToken.None);
        await ChildProcess.WaitUntilAsync(
            async () =>
            {
                if (_server.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with {_server.ExitCode} while starting (apt-get install redis-server).");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(15),
            "redis-server to accept connections");
    }

    /// <summary>Kills the server by PID (SIGKILL: as a crash would).</summary>
    public async Task StopAsync()
    {
        if (_server is not { HasExited: false } server)
        {
            return;
        }

        ChildProcess.Signal(server.Id, "KILL");
        await server.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
