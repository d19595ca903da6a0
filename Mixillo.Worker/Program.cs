using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixillo.Worker.Core;
using Mixillo.Worker.Hosting;
using Mixillo.Worker.Redis;
using Mixillo.Worker;

if (args is ["process", .. var rest])
{
    // appsettings.json beside the program, then environment variables (Media__StallTimeout=00:02:00).
    var configuration = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
    return await ProcessCommand.RunAsync(rest, configuration, Console.Out, Console.Error, ConsoleCancellation.Token);
}

// No verb runs the worker host; "--Section:Key=value" and "--key value" arguments are configuration. Any other word is a mistake.
if (args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal) || args[i - 1].Contains('=', StringComparison.Ordinal))).Any())
{
    return ProcessCommand.Usage(Console.Error);
}

// The host serves only /health and /alive: where ASP.NET Core is told to listen (ASPNETCORE_URLS, --urls,
// ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints), else on WorkerOptions.DefaultUrls.
var builder = WebApplication.CreateSlimBuilder(ContentRoot.ProgramFolder(args));
var settings = builder.Configuration;
if (new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }.All(key => string.IsNullOrEmpty(settings[key]))
    && !settings.GetSection("Kestrel:Endpoints").Exists())
{
    builder.WebHost.UseUrls(WorkerOptions.DefaultUrls);
}

// Request lines of health probes are noise unless asked for.
if (settings["Logging:LogLevel:Microsoft.AspNetCore"] is null)
{
    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
}

builder.AddServiceDefaults();
builder.Services.AddMixilloCore().AddMixilloWorker();
builder.AddMixilloRedis();
var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
