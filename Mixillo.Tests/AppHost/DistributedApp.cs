using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Api.Auth;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.AppHost;

/// <summary>
/// Mixillo.AppHost started by Aspire.Hosting.Testing in executables mode, as on a machine without a container
/// runtime: PostgreSQL and redis-server as processes under <see cref="DataRoot"/>, the API and two worker
/// replicas, telemetry to <paramref name="otlpEndpoint"/> (what the AppHost tells every service). Jobs are made
/// quick or slow with <paramref name="services"/> (environment for api and worker).
/// </summary>
internal sealed class DistributedApp : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly DistributedApplication _app;
    private readonly Dictionary<string, int> _pids = [];

    private DistributedApp(DistributedApplication app, string dataRoot)
    {
        _app = app;
        DataRoot = dataRoot;
    }

    public string DataRoot { get; }

    /// <summary>Every process the app started: resources and replicas (by id, as DCP reported them) and DCP's own.</summary>
    public IReadOnlyDictionary<string, int> Pids => _pids;

    public static async Task<DistributedApp> StartAsync(string dataRoot, Uri otlpEndpoint, Dictionary<string, string> services)
    {
        var orchestrators = OrchestratorPids();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mixillo_AppHost>(
            ["--Mixillo:Dependencies=executables", $"--Mixillo:DataRoot={dataRoot}", $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={otlpEndpoint}"],
            (options, _) => options.DisableDashboard = true);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var resource = builder.CreateResourceBuilder(project);
            foreach (var (key, value) in services)
            {
                resource.WithEnvironment(key, value);
            }
        }

        var app = await builder.BuildAsync();
        var started = new DistributedApp(app, dataRoot);
        try
        {
            await app.StartAsync().WaitAsync(Patience);
            using var healthy = new CancellationTokenSource(Patience);
            await Task.WhenAll(new[] { "postgres", "redis", "api" }.Select(name => app.ResourceNotifications.WaitForResourceHealthyAsync(name, healthy.Token)));
            await started.WorkersHealthyAsync(2, healthy.Token);
            foreach (var pid in OrchestratorPids().Except(orchestrators))
            {
                started._pids[$"dcp-{pid}"] = pid;
            }

            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string user, string? role = null)
    {
        var client = _app.CreateHttpClient("api", "http");
        // The AppHost runs the API in Development, on the development signing key (as the README's token command).
        var auth = new AuthOptions();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue(auth, auth.Key(development: true), user, role, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        return client;
    }

    /// <summary>Waits until <paramref name="replicas"/> worker replicas are healthy, and records every PID the app started.</summary>
    private async Task WorkersHealthyAsync(int replicas, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>();
        await foreach (var update in _app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid && int.TryParse(pid.ToString(), out var id))
            {
                _pids[update.ResourceId] = id;
            }

            if (update.Resource.Name == "worker" && update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }

            if (healthy.Count >= replicas && new[] { "postgres", "redis", "api" }.All(name => _pids.Keys.Any(k => k.StartsWith(name, StringComparison.Ordinal))))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Stops the app as Ctrl+C does: DCP sends SIGTERM to every resource and kills what remains. What the resources
    /// started themselves (PostgreSQL's backends, a running ffmpeg, the services under `dotnet run`) joins
    /// <see cref="Pids"/> first.
    /// </summary>
    public Task StopAsync()
    {
        var pending = new Queue<int>(_pids.Values);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in Tool.Children(pid).Where(c => !_pids.ContainsValue(c)))
            {
                _pids[$"child-{child}"] = child;
                pending.Enqueue(child);
            }
        }

        return _app.StopAsync().WaitAsync(Patience);
    }

    /// <summary>The processes of Aspire's orchestrator (DCP) running now.</summary>
    private static HashSet<int> OrchestratorPids() =>
    [
        .. Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && (Tool.TryRead($"/proc/{pid}/cmdline") ?? "").Contains("aspire.hosting.orchestration", StringComparison.OrdinalIgnoreCase)),
    ];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
