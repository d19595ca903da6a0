using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media.Probing;
using Mixillo.TestServers;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;
using Mixillo.Worker.Core;
using Mixillo.Worker.Hosting;

namespace Mixillo.Tests.Worker;

/// <summary>
/// A deployment for a test: configuration for a store and a storage of its own, worker hosts started in this
/// process or as real processes, and helpers to enqueue a clip and wait for its job.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<IHost> _hosts = [];
    // By pid and start time: a test disposes its Process handle with `using`, failed or not, and a disposed handle cannot kill.
    private readonly List<(int Pid, DateTime Started)> _processes = [];

    public Deployment(Dictionary<string, string?> settings)
    {
        Settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = "sqlite",
            ["ConnectionStrings:mixillo"] = $"Data Source={_folder.File("mixillo.db")}",
            ["Storage:Provider"] = "filesystem",
            ["Storage:Root"] = _folder.File("media"),
            ["Worker:ScratchRoot"] = _folder.File("scratch"),
            ["Worker:ProgressInterval"] = "00:00:00.250",
            ["Queue:HeartbeatInterval"] = "00:00:00.500",
            ["Queue:StuckAfter"] = "00:00:03",
            ["Queue:PollInterval"] = "00:00:01",
            ["Queue:StartRateLimit"] = "0",
            ["Worker:ShutdownGrace"] = "00:00:02",
        };
        foreach (var (key, value) in settings)
        {
            Settings[key] = value;
        }

        var services = new ServiceCollection().AddSingleton(Configuration()).AddMixilloCore().BuildServiceProvider();
        Store = services.GetRequiredService<IJobStore>();
        Storage = services.GetRequiredService<IObjectStorage>();
    }

    public Dictionary<string, string?> Settings { get; }

    public IJobStore Store { get; }

    public IObjectStorage Storage { get; }

    public string ScratchRoot => Settings["Worker:ScratchRoot"]!;

    public IConfiguration Configuration(Dictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(Settings).AddInMemoryCollection(overrides ?? []).Build();

    /// <summary>The same configuration as environment variables, for a worker run as a process.</summary>
    public Dictionary<string, string> Environment(Dictionary<string, string?>? overrides = null) =>
        Settings.Concat(overrides ?? []).Where(s => s.Value is not null).GroupBy(s => s.Key).ToDictionary(g => g.Key.Replace(":", "__", StringComparison.Ordinal), g => g.Last().Value!);

    public async Task InitializeAsync()
    {
        await Store.InitializeAsync(CancellationToken.None);
        await Storage.InitializeAsync(CancellationToken.None);
    }

    /// <summary>Starts a worker host in this process; <paramref name="services"/> may replace a part (fault injection).</summary>
    public async Task<IHost> StartWorkerAsync(Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Configuration(overrides));
        builder.Services.AddMixilloCore().AddMixilloWorker();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    /// <summary>Uploads a clip as a source and enqueues a job for it (with <paramref name="probe"/>, as an upload's <c>complete</c> does).</summary>
    public async Task<TranscodeJob> EnqueueAsync(string clip, JobOptions options, int priority = NewJob.DefaultPriority, SourceMetadata? probe = null)
    {
        var key = $"uploads/user_1/{Guid.NewGuid():N}{Path.GetExtension(clip)}";
        await Storage.PutFileAsync(key, clip, CancellationToken.None);
        return await Store.CreateAsync(
            JobFactory.New(priority, options: options) with { Source = new SourceFile { Key = key, OriginalName = Path.GetFileName(clip), SizeBytes = new FileInfo(clip).Length }, Probe = probe },
            queue: true,
            CancellationToken.None);
    }

    /// <summary>Polls the job until <paramref name="done"/> says so (or the time runs out).</summary>
    public async Task<TranscodeJob> WaitForAsync(string jobId, Func<TranscodeJob, bool> done, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            var job = await Store.GetAsync(jobId, CancellationToken.None) ?? throw new InvalidOperationException($"{jobId} vanished");
            if (done(job))
            {
                return job;
            }

            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"{jobId} is {job.Status} at stage {job.Stage} after {timeout}: {string.Join("; ", job.Errors.Select(e => e.Code + " " + e.Error))}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    public Task<TranscodeJob> WaitForFinalAsync(string jobId, TimeSpan timeout) => WaitForAsync(jobId, j => JobStateMachine.IsFinal(j.Status) || j.Status == JobStatus.Failed, timeout);

    /// <summary>
    /// Starts <c>Mixillo.Worker</c> as a real process on this deployment's configuration, serving /health on a free
    /// port unless <paramref name="overrides"/> name <c>ASPNETCORE_URLS</c>.
    /// </summary>
    public System.Diagnostics.Process StartWorkerProcess(Dictionary<string, string?>? overrides = null) => StartHostProcess("Mixillo.Worker.dll", overrides);

    /// <summary>Starts <c>Mixillo.Api</c> as a real process on this deployment's configuration, listening on <paramref name="url"/>.</summary>
    public System.Diagnostics.Process StartApiProcess(string url, Dictionary<string, string?>? overrides = null) =>
        StartHostProcess("Mixillo.Api.dll", new Dictionary<string, string?>(overrides ?? []) { ["ASPNETCORE_URLS"] = url });

    private System.Diagnostics.Process StartHostProcess(string assembly, Dictionary<string, string?>? overrides)
    {
        var process = StartProcess([Path.Combine(AppContext.BaseDirectory, assembly)], overrides);
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    /// <summary>A worker whose publish crawls (<see cref="SlowPublishWorker"/>); its standard output says when it publishes.</summary>
    public System.Diagnostics.Process StartSlowPublishWorkerProcess(Dictionary<string, string?>? overrides = null) =>
        StartProcess([Path.Combine(AppContext.BaseDirectory, "Mixillo.Tests.dll"), SlowPublishWorker.Verb], overrides);

    private System.Diagnostics.Process StartProcess(IEnumerable<string> arguments, Dictionary<string, string?>? overrides)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ChildProcess.FreePort()}";
        foreach (var (name, value) in Environment(overrides))
        {
            start.Environment[name] = value;
        }

        var process = System.Diagnostics.Process.Start(start)!;
        _processes.Add((process.Id, process.StartTime));
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>Nothing stays in scratch, kept sources included, once the stages have ended (their cleanup follows the job's last write).</summary>
    public async Task ScratchEmptiesAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Directory.Exists(ScratchRoot) && Directory.EnumerateFiles(ScratchRoot, "*", SearchOption.AllDirectories).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Empty(Directory.Exists(ScratchRoot) ? Directory.GetFiles(ScratchRoot, "*", SearchOption.AllDirectories) : []);
    }

    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var found in Storage.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(found.Key);
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        // Worker processes a failed test left running must not outlive it.
        foreach (var (pid, started) in _processes)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                if (process.StartTime == started)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Exited already.
            }
        }

        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await Store.DisposeAsync();
        (Storage as IDisposable)?.Dispose();
        _folder.Dispose();
    }
}
