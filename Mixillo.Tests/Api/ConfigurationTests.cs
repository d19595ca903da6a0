using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mixillo.Api;
using Mixillo.Tests.Support;
using Mixillo.Worker.Core;
using Mixillo.Worker.Hosting;

namespace Mixillo.Tests.Api;

/// <summary>A wrong setting stops the host at start, naming its key, instead of failing at first use.</summary>
public sealed class ConfigurationTests
{
    public static TheoryData<string, string, string> WrongSettings => new()
    {
        // Divided by at the first upload before it was checked.
        { "Upload:ChunkSize", "0", "Upload:ChunkSize" },
        // Not a number at all: the binder names the key.
        { "Upload:ChunkSize", "eight", "Upload:ChunkSize" },
        { "Upload:Extensions", "mp4", "Upload:Extensions" },
        { "Upload:ExpireAfter", "-01:00:00", "Upload:ExpireAfter" },
        { "Store:Provider", "mongodb", "Store:Provider" },
        { "Storage:Provider", "ftp", "Storage:Provider" },
        { "Storage:S3:Bucket", "Not_A_Bucket", "Storage:S3:Bucket" },
        { "Queue:MaxRetries", "-1", "Queue:MaxRetries" },
        { "Queue:HeartbeatInterval", "00:10:00", "Queue:HeartbeatInterval" },
        { "Media:StallTimeout", "00:00:00", "Media:StallTimeout" },
        { "Cost:PerCpuSecond", "-0.1", "Cost:PerCpuSecond" },
        { "Transcode:Preset", "warp", "Transcode" },
        { "Transcode:Qualities", "8k", "Transcode" },
        { "Cors:MediaOrigins", "https://app.example.com/", "Cors:MediaOrigins" },
        { "Cors:ApiOrigins", "*,https://app.example.com", "Cors:ApiOrigins" },
        { "OpenApi:ServerUrls", "evil.example", "OpenApi:ServerUrls" },
        { "OpenApi:Anonymous", "sometimes", "OpenApi:Anonymous" },
        { "Worker:Concurrency", "0", "Worker:Concurrency" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task The_api_refuses_to_start_and_names_the_key(string key, string value, string named)
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string?>
        {
            [key] = value,
            ["Worker:InProcess"] = "true",
            ["ConnectionStrings:mixillo"] = $"Data Source={folder.File("mixillo.db")}",
            ["Storage:Root"] = folder.File("media"),
            ["Auth:SigningKey"] = ApiFactory.SigningKey,
            ["urls"] = "http://127.0.0.1:0",
        };
        if (key.StartsWith("Storage:S3:", StringComparison.Ordinal))
        {
            settings["Storage:Provider"] = "s3";
            settings["Storage:S3:ServiceUrl"] = "http://127.0.0.1:9";
            settings["Storage:S3:AccessKey"] = "key";
            settings["Storage:S3:SecretKey"] = "secret";
        }

        // The API's own wiring on a host of this test's (the test server's start races its own disposal when a
        // start fails, and then reports that instead).
        var failure = await Record.ExceptionAsync(async () =>
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddApplicationServices();
            await using var app = builder.Build();
            await app.StartAsync();
            await app.StopAsync();
        });
        Assert.NotNull(failure);
        Assert.Contains(named, Messages(failure), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_host_refuses_to_start_and_names_the_key()
    {
        using var folder = new TempFolder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:mixillo"] = $"Data Source={folder.File("mixillo.db")}",
            ["Storage:Root"] = folder.File("media"),
            ["Cost:PerCpuSecond"] = "-1",
        });
        builder.Services.AddMixilloCore().AddMixilloWorker();

        // Building already reads the worker's section (the host's shutdown timeout follows its grace).
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var host = builder.Build();
            await host.StartAsync();
        });
        Assert.NotNull(failure);
        Assert.Contains("Cost:PerCpuSecond", Messages(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_start()
    {
        using var api = new ApiFactory(new Dictionary<string, string?> { ["Worker:InProcess"] = "true" });
        using var client = api.CreateClient();
        Assert.NotNull(client);
    }

    private static string Messages(Exception failure) =>
        string.Join(" | ", failure is AggregateException all ? all.Flatten().InnerExceptions.Select(e => e.Message) : Enumerable.Repeat(failure, 1).SelectMany(Chain));

    private static IEnumerable<string> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }
}
