using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Api;

/// <summary>The API as a real process, killed with SIGKILL while its webhook deliveries wait: a restart sends them all.</summary>
public sealed class WebhookCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();
    private readonly int _port = ChildProcess.FreePort();

    public void Dispose() => _folder.Dispose();

    private ProcessStartInfo Api(params string[] args) => ApiCommand.In(_folder.Path, new Dictionary<string, string>
    {
        ["Worker__InProcess"] = "false",
        ["Webhooks__AllowPrivateNetworks"] = "true",
        ["Webhooks__PollInterval"] = "00:00:00.100",
        ["Webhooks__RetryBase"] = "00:00:00.100",
        ["Webhooks__RetryMax"] = "00:00:00.400",
    }, args);

    private async Task<Process> StartAsync(HttpClient http)
    {
        var api = Process.Start(Api("--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_port}")))!;
        _ = api.StandardOutput.ReadToEndAsync();
        _ = api.StandardError.ReadToEndAsync();
        await Answering.WaitAsync(http, "/health", Patience, "the API to answer /health");
        return api;
    }

    [Fact]
    public async Task Deliveries_waiting_when_the_api_is_killed_are_all_sent_after_it_restarts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 503;
        using var http = new HttpClient { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_port}")) };
        var first = await StartAsync(http);
        try
        {
            using var tokenProcess = Process.Start(Api("token", "--user", "root", "--role", "admin"))!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await tokenProcess.StandardOutput.ReadToEndAsync()).Trim());
            Assert.True((await http.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url })).IsSuccessStatusCode);

            // Events committed by another process on the same store (as a worker would): a queued and a cancelled job, three times.
            await using var store = JobStores.Create(JobStores.Sqlite, $"Data Source={Path.Combine(_folder.Path, "data", "mixillo.db")}", new QueueOptions(), TimeProvider.System);
            for (var i = 0; i < 3; i++)
            {
                var job = await store.CreateAsync(JobFactory.New(), queue: true, CancellationToken.None);
                await store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), CancellationToken.None);
            }

            var committed = (await ((IJobEvents)store).EventsAsync(new EventQuery(0), CancellationToken.None)).Select(e => e.Id).ToHashSet();
            Assert.Equal(6, committed.Count);

            // Every delivery has been tried and refused: they wait in the outbox when the API dies.
            await receiver.WaitForAsync(r => Ids(r).Distinct().Count() == committed.Count, Patience);
            ChildProcess.Signal(first.Id, "KILL");
            await first.WaitForExitAsync();
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.Dispose();
        }

        receiver.Answer = _ => 200;
        using var second = await StartAsync(http);
        try
        {
            var received = await receiver.WaitForAsync(r => Ids(r.Where(w => w.Answered == 200)).Distinct().Count() == 6, Patience);
            Assert.Equal(6, Ids(received.Where(w => w.Answered == 200)).Distinct().Count());
            Assert.Equal(0, receiver.Overlaps);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
        }
    }

    private static IEnumerable<long> Ids(IEnumerable<ReceivedWebhook> received) =>
        received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetInt64());
}
