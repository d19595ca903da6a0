using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mixillo.Api;

/// <summary>What a newcomer needs on the console once the service is up: where it listens and how to get in.</summary>
internal static partial class Startup
{
    public static void Announce(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var configuration = app.Configuration;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mixillo");
        LogReady(
            logger,
            string.Join(", ", addresses),
            configuration["Store:Provider"] ?? "sqlite",
            configuration["Storage:Provider"] ?? "filesystem",
            configuration.GetValue("Worker:InProcess", defaultValue: true) ? "in this process" : "separate");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = """
        Mixillo is listening on {Addresses} (store: {Store}, storage: {Storage}, worker: {Worker}).
        Get a token:   dotnet run --project Mixillo.Api -- token --user me            (add --role admin for the admin API)
        API document:  /openapi/v1.json      health: /health
        """)]
    private static partial void LogReady(ILogger logger, string addresses, string store, string storage, string worker);
}
