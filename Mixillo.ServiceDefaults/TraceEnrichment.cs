using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Mixillo.ServiceDefaults;

/// <summary>
/// Around the whole pipeline: health probes are not recorded (nor is anything under them), and server spans
/// carry <c>http.route</c> and are named "METHOD route", which ASP.NET Core's own spans lack without the
/// instrumentation package.
/// </summary>
internal sealed class TraceEnrichment : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
            if (activity is not null && Microsoft.Extensions.Hosting.Extensions.IsHealthPath(context.Request.Path))
            {
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                activity.IsAllDataRequested = false;
                activity = null;
            }

            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                if (activity is { IsAllDataRequested: true } && context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
                {
                    activity.SetTag("http.route", route);
                    activity.DisplayName = $"{context.Request.Method} {route}";
                }
            }
        });
        next(app);
    };
}
