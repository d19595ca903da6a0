using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.TestServers;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Worker;
using Mixillo.Worker.Core;

namespace Mixillo.Tests.Api;

/// <summary>/health of the API and of a worker process follows PostgreSQL and S3 going away and coming back; /alive does not.</summary>
[Collection(DistributedCollection.Name)]
public sealed class HealthTests(DistributedFixture servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Health_is_unhealthy_while_postgres_or_s3_is_away_and_healthy_again_when_it_returns()
    {
        await using var deployment = new Deployment(await servers.DeploymentSettingsAsync());
        await deployment.InitializeAsync();
        using var api = new ApiFactory(deployment.Settings);
        var workerUrl = $"http://127.0.0.1:{ChildProcess.FreePort()}";
        using var workerProcess = deployment.StartWorkerProcess(new() { ["ASPNETCORE_URLS"] = workerUrl });
        using var worker = new HttpClient { BaseAddress = new Uri(workerUrl) };
        var clients = new[] { api.CreateClient(), worker };
        try
        {
            await Task.WhenAll(clients.Select(c => HealthBecomesAsync(c, HttpStatusCode.OK, "Healthy")));

            await servers.Postgres.Server.StopAsync();
            try
            {
                await Task.WhenAll(clients.Select(c => HealthBecomesAsync(c, HttpStatusCode.ServiceUnavailable, "Unhealthy")));
                await Task.WhenAll(clients.Select(AliveAsync));
            }
            finally
            {
                await servers.Postgres.Server.StartAgainAsync();
                // Pooled connections of this process died with the server; the next tests of the collection get fresh ones.
                Npgsql.NpgsqlConnection.ClearAllPools();
            }

            await Task.WhenAll(clients.Select(c => HealthBecomesAsync(c, HttpStatusCode.OK, "Healthy")));

            await servers.S3.StopGatewayAsync();
            try
            {
                await Task.WhenAll(clients.Select(c => HealthBecomesAsync(c, HttpStatusCode.ServiceUnavailable, "Unhealthy")));
                await Task.WhenAll(clients.Select(AliveAsync));
            }
            finally
            {
                await servers.S3.StartGatewayAsync();
            }

            await Task.WhenAll(clients.Select(c => HealthBecomesAsync(c, HttpStatusCode.OK, "Healthy")));
        }
        finally
        {
            workerProcess.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task An_api_alone_migrates_a_new_schema_and_creates_the_bucket_with_its_cors_rules_at_start_and_is_healthy_without_a_worker()
    {
        var settings = await servers.DeploymentSettingsAsync(new() { ["Cors:MediaOrigins"] = "https://player.example.com" });
        using var api = new ApiFactory(settings);
        var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.Token("admin_1", Mixillo.Api.Auth.AuthOptions.AdminRole));

        await HealthBecomesAsync(admin, HttpStatusCode.OK, "Healthy");

        using var jobs = await admin.GetAsync("/api/transcode/jobs");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        // Lists the bucket: it exists and the credentials read it.
        await api.Storage.CheckAsync(CancellationToken.None);

        // Players on the configured origin may fetch presigned URLs straight from the bucket.
        using var s3 = new Amazon.S3.AmazonS3Client(
            settings["Storage:S3:AccessKey"], settings["Storage:S3:SecretKey"], new Amazon.S3.AmazonS3Config { ServiceURL = settings["Storage:S3:ServiceUrl"], ForcePathStyle = true });
        var rules = await PollAsync(async () =>
        {
            try
            {
                return (await s3.GetCORSConfigurationAsync(settings["Storage:S3:Bucket"])).Configuration?.Rules is { Count: > 0 } set ? set : null;
            }
            catch (Amazon.S3.AmazonS3Exception)
            {
                return null;
            }
        });
        Assert.Equal(["https://player.example.com"], rules.Single().AllowedOrigins);
    }

    [Fact]
    public async Task A_service_whose_storage_refuses_its_credentials_stops_by_itself_even_while_the_store_is_away()
    {
        var settings = await servers.DeploymentSettingsAsync();
        settings["Storage:S3:SecretKey"] = "not-the-secret-key-of-this-user";
        // No PostgreSQL answers here: the store migration keeps retrying, and must not hold up the refusal.
        settings["ConnectionStrings:mixillo"] = $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Timeout=2";
        await using var deployment = new Deployment(settings);
        using var worker = await deployment.StartWorkerAsync();
        var stopped = new TaskCompletionSource();
        worker.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.Register(stopped.SetResult);

        await stopped.Task.WaitAsync(Patience);
        // It was the storage: the store's failures were transient, retried, and had not failed the migration.
        Assert.False(worker.Services.GetRequiredService<Mixillo.Worker.Core.MigrationService>().StoreReady.IsFaulted);
    }

    /// <summary>Polls /health until it answers <paramref name="status"/> with exactly <paramref name="body"/>: no check names, no reasons.</summary>
    /// <summary>What <paramref name="read"/> answers once it answers something, within <see cref="Patience"/>.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T?>> read)
        where T : class
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            Assert.True(clock.Elapsed < Patience, $"nothing within {Patience}");
            await Task.Delay(250);
        }
    }

    internal static async Task HealthBecomesAsync(HttpClient client, HttpStatusCode status, string body)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < Patience)
        {
            try
            {
                using var response = await client.GetAsync("/health");
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == status && text == body)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {text}";
            }
            catch (HttpRequestException ex)
            {
                // The worker process is still starting.
                last = ex.Message;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{client.BaseAddress}health did not become {(int)status} {body} within {Patience}; last answer: {last}");
    }

    private static async Task AliveAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/alive");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }
}
