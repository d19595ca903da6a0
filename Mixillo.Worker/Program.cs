using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Mixillo.Worker;
using Mixillo.Worker.Hosting;

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

// No verb runs the worker host; "--Section:Key=value" arguments are configuration. Any other word is a mistake.
if (args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is not null)
{
    return ProcessCommand.Usage(Console.Error);
}

// The host serves only /health and /alive, on Urls (ASPNETCORE_URLS, --urls) or WorkerOptions.DefaultUrls.
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls(WorkerOptions.DefaultUrls);
}

builder.AddServiceDefaults();
builder.Services.AddMixilloCore(builder.Configuration).AddMixilloWorker(builder.Configuration);
var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
