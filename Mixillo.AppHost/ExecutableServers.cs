using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Mixillo.AppHost;

/// <summary>
/// The servers as local processes, for machines without a container runtime: Debian's PostgreSQL (its cluster
/// in <c>{Mixillo:DataRoot}/postgres</c>, made on the first run) and <c>redis-server</c> (no persistence: nothing
/// durable lives only in Redis), each on a port DCP picks, with health checks; the services share the storage
/// folder <c>{Mixillo:DataRoot}/media</c>. <c>Mixillo:DataRoot</c> defaults to the AppHost's <c>data</c> folder.
/// </summary>
internal static class ExecutableServers
{
    public const string DataRootKey = "Mixillo:DataRoot";
    public const string Database = "mixillo";
    private const string PostgresUser = "postgres";

    public static Servers Add(IDistributedApplicationBuilder builder)
    {
        var root = Path.GetFullPath(builder.Configuration[DataRootKey] is { Length: > 0 } configured ? configured : Path.Combine(builder.AppHostDirectory, "data"));
        var postgresBin = FindPostgres() ?? throw new SetupException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): apt-get install postgresql, or run with a container runtime (Mixillo:Dependencies=containers).");
        var redisServer = FindOnPath("redis-server") ?? throw new SetupException(
            "redis-server is not installed: apt-get install redis-server, or run with a container runtime (Mixillo:Dependencies=containers).");

        var cluster = Path.Combine(root, "postgres");
        PostgresCluster.Ensure(postgresBin, cluster);
        var server = PostgresCluster.ServerCommand(postgresBin, cluster);
        var postgres = builder.AddResource(new ServerProcess("postgres", server[0], cluster,
                endpoint => ReferenceExpression.Create($"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={PostgresUser};Database={Database}")))
            .WithArgs(server[1..])
            // postgres reads its port from PGPORT, which DCP picks. Not proxied: at stop DCP drops its proxies at once,
            // while PostgreSQL's own (smart) shutdown keeps open sessions working until their clients leave, so a
            // stopping worker can still release its jobs.
            .WithEndpoint(name: ServerProcess.EndpointName, scheme: "tcp", env: "PGPORT", isProxied: false)
            .WithConnectionCheck((checks, check, connectionString) => checks.AddNpgSql(_ => connectionString(), name: check));

        var redis = builder.AddResource(new ServerProcess("redis", redisServer, root,
                endpoint => ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}")))
            .WithEndpoint(name: ServerProcess.EndpointName, scheme: "tcp");
        redis.WithArgs("--bind", "127.0.0.1", "--port", redis.GetEndpoint(ServerProcess.EndpointName).Property(EndpointProperty.TargetPort), "--save", "", "--appendonly", "no")
            .WithConnectionCheck((checks, check, connectionString) => checks.AddRedis(_ => connectionString(), name: check));

        var media = Path.Combine(root, "media");
        return new Servers(postgres, redis, service => service
            .WithEnvironment("Storage__Provider", "filesystem")
            .WithEnvironment("Storage__Root", media));
    }

    /// <summary>
    /// A health check of the server that connects with its connection string, known once DCP has allocated its
    /// endpoint.
    /// </summary>
    private static IResourceBuilder<ServerProcess> WithConnectionCheck(
        this IResourceBuilder<ServerProcess> server, Func<IHealthChecksBuilder, string, Func<string>, IHealthChecksBuilder> add)
    {
        var check = $"{server.Resource.Name}_check";
        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server.Resource, async (_, cancellationToken) =>
            connectionString = await server.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken));
        add(server.ApplicationBuilder.Services.AddHealthChecks(), check, () => connectionString ?? throw new InvalidOperationException($"{server.Resource.Name} has no endpoint yet."));
        return server.WithHealthCheck(check);
    }

    private static string? FindPostgres() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres"))).OrderDescending().FirstOrDefault()
            : null;

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    /// <summary>A server process whose connection string is made from its endpoint.</summary>
    private sealed class ServerProcess(string name, string command, string workingDirectory, Func<EndpointReference, ReferenceExpression> connectionString)
        : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
    {
        public const string EndpointName = "tcp";

        public ReferenceExpression ConnectionStringExpression => connectionString(new EndpointReference(this, EndpointName));
    }

    /// <summary>The cluster's folder and how its server is started.</summary>
    private static class PostgresCluster
    {
        /// <summary>
        /// On the first run: initdb (as the postgres OS user when we are root: the server refuses root) and the
        /// <c>mixillo</c> database, made in single-user mode so that nothing listens meanwhile. Both go into
        /// <c>data.new</c>, which becomes <c>data</c> only when complete: a first run stopped halfway leaves no
        /// cluster without its database, and the next run starts over.
        /// </summary>
        public static void Ensure(string bin, string cluster)
        {
            var data = Path.Combine(cluster, "data");
            if (Directory.Exists(data))
            {
                return;
            }

            var made = Path.Combine(cluster, "data.new");
            if (Directory.Exists(made))
            {
                Directory.Delete(made, recursive: true);
            }

            Directory.CreateDirectory(Path.Combine(cluster, "run"));
            if (Environment.UserName == "root" && OperatingSystem.IsLinux())
            {
                Run(null, ["chown", "-R", $"{PostgresUser}:{PostgresUser}", cluster]);
                if (!Traversable(cluster))
                {
                    throw new SetupException(
                        $"PostgreSQL runs as the '{PostgresUser}' user, which cannot reach {cluster} (a parent folder is closed to other users): set {DataRootKey} to a folder it can reach, e.g. --{DataRootKey}=/var/tmp/mixillo.");
                }
            }

            Run(null, AsPostgres(Path.Combine(bin, "initdb"), "-D", made, "-U", PostgresUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"));
            Run($"CREATE DATABASE {Database};\n", AsPostgres(Path.Combine(bin, "postgres"), "--single", "-D", made, "postgres"));
            Directory.Move(made, data);
        }

        /// <summary>The server's command line: on loopback only, its socket in the cluster's <c>run</c> folder.</summary>
        public static string[] ServerCommand(string bin, string cluster) =>
            AsPostgres(Path.Combine(bin, "postgres"), "-D", Path.Combine(cluster, "data"), "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={Path.Combine(cluster, "run")}");

        /// <summary>As root: <c>setpriv</c> arguments that exec the program as the postgres user; else the program and its arguments.</summary>
        private static string[] AsPostgres(string program, params string[] args) =>
            Environment.UserName == "root"
                ? ["setpriv", "--reuid", PostgresUser, "--regid", PostgresUser, "--init-groups", "--", program, .. args]
                : [program, .. args];

        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        private static bool Traversable(string folder)
        {
            for (var dir = new DirectoryInfo(folder).Parent; dir is not null; dir = dir.Parent)
            {
                if ((File.GetUnixFileMode(dir.FullName) & UnixFileMode.OtherExecute) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static void Run(string? input, string[] command)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in command[1..])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
            process.StandardInput.Write(input ?? "");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', command)} exited {process.ExitCode}: {errors.Result}{output.Result}");
            }
        }
    }
}
