using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Mixillo.ServiceDefaults;

/// <summary>The body of a health answer: the status word alone. The failing checks and their reasons are logged.</summary>
internal static partial class HealthResponses
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (report.Status != HealthStatus.Healthy)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mixillo.Health");
            foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            {
                LogCheckFailed(logger, name, entry.Status, entry.Description ?? entry.Exception?.Message ?? "no reason given", entry.Duration.TotalMilliseconds);
            }
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(report.Status.ToString());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is {Status}: {Reason} ({Milliseconds:0} ms)")]
    private static partial void LogCheckFailed(ILogger logger, string check, HealthStatus status, string reason, double milliseconds);
}
