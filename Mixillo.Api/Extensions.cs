using System.Text.Json.Serialization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Net.Http.Headers;
using Mixillo.Api.Apis;
using Mixillo.Api.Auth;
using Mixillo.Api.Events;
using Mixillo.Api.Http;
using Mixillo.Api.Uploads;
using Mixillo.Api.Webhooks;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.Jobs.Webhooks;
using Mixillo.Worker.Core;
using Mixillo.Worker.Health;
using Mixillo.Worker.Hosting;
using Mixillo.Worker.Redis;

namespace Mixillo.Api;

public static class Extensions
{
    /// <summary>
    /// Store, storage and engine; the worker too when <c>Worker:InProcess</c> (the embedded default); every
    /// section checked at start; JWT auth; CORS for players and pages on other origins; problem details with
    /// stable codes; JSON in the product's words; the OpenAPI document.
    /// </summary>
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMixilloCore();
        if (builder.Configuration.GetValue("Worker:InProcess", defaultValue: true))
        {
            services.AddMixilloWorker();
        }

        services.AddSettings<CostOptions>(CostOptions.Section, o => o.Validate());
        services.AddSettings<UploadOptions>(UploadOptions.Section, o => o.Validate());
        services.AddSettings<TranscodeDefaults>(TranscodeDefaults.Section, o => o.Validate());
        services.AddSingleton(sp => sp.GetRequiredService<TranscodeDefaults>().ToJobOptions());
        services.AddSingleton<OpenUploads>();
        services.AddSingleton<ChunkGate>();
        services.AddSingleton<UserLimits>();
        services.AddSpaceFloors(SpaceFloors.Uploads, sp => (sp.GetRequiredService<UploadOptions>().ScratchRoot, sp.GetRequiredService<UploadOptions>().MinFreeBytes));
        services.AddSingleton<UploadService>();
        services.AddSingleton<JobCleaner>();
        services.AddSingleton<PublishedContent>();
        services.AddSingleton<LiveStreams>();
        services.AddHostedService<UploadSweeper>();
        services.AddHostedService<QueueGauges>();
        services.AddSettings<EventOptions>(EventOptions.Section, o => o.Validate());
        services.AddSingleton<EventFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<EventFeed>());
        if (builder.AddMixilloRedis())
        {
            services.AddHostedService<RedisEventWake>();
        }
        services.AddWebhooks();

        builder.AddAuthentication();
        builder.AddCors();

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["success"] = false;
            context.ProblemDetails.Extensions.TryAdd("code", ErrorCatalog.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
            // Never a stack trace or exception text in a body, whatever the environment.
            context.ProblemDetails.Extensions.Remove("exception");
        });
        services.AddExceptionHandler<ExceptionProblems>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // The web defaults read "123" as a number: a string where a number belongs is a client's mistake to refuse.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        services.AddSettings<ApiDocumentOptions>(ApiDocumentOptions.Section, o => o.Validate());
        services.AddOpenApi(ApiDocument.Configure);
        return builder;
    }

    /// <summary>Webhook endpoints in the store, the dispatcher that turns job events into deliveries, and the sender.</summary>
    private static void AddWebhooks(this IServiceCollection services)
    {
        services.AddSettings<WebhookOptions>(WebhookOptions.Section, o => o.Validate());
        services.AddSingleton(sp => (IWebhookStore)sp.GetRequiredService<IJobStore>());
        services.AddSingleton<WebhookClient>();
        services.AddSingleton<DeliveriesDispatched>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<WebhookSender>();
    }

    /// <summary>
    /// HS256 bearer tokens checked against the <c>Auth</c> section; admins carry <c>role: admin</c>, exactly; everything
    /// else needs a user. A refused token is told it is invalid, and why only in the log.
    /// </summary>
    private static void AddAuthentication(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSettings<AuthOptions>(AuthOptions.Section, o => o.Validate(development));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<AuthOptions>((jwt, auth) =>
        {
            // Claims keep their JWT names (sub, role) rather than being renamed to long URIs.
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = Tokens.Validation(auth, auth.Key(development));
            jwt.Events = TokenEvents.Create();
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthOptions.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(AuthOptions.AdminRole))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }

    /// <summary>
    /// Players on <c>Cors:MediaOrigins</c> may fetch media (GET, HEAD, ranges; the range headers readable); pages on
    /// <c>Cors:ApiOrigins</c> may call the API with a bearer token. Never with cookies. The bucket gets the media
    /// rules too, for presigned URLs.
    /// </summary>
    private static void AddCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<OriginOptions>(OriginOptions.Section, o => o.Validate());
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<OriginOptions>((cors, origins) =>
        {
            cors.AddPolicy(OriginOptions.MediaPolicy, policy => Allow(policy, origins.MediaOriginList)
                .WithMethods(HttpMethods.Get, HttpMethods.Head)
                .AllowAnyHeader()
                .WithExposedHeaders(HeaderNames.ContentLength, HeaderNames.ContentRange, HeaderNames.AcceptRanges)
                .SetPreflightMaxAge(PreflightMaxAge));
            cors.AddPolicy(OriginOptions.ApiPolicy, policy => Allow(policy, origins.ApiOriginList)
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType)
                .WithExposedHeaders(HeaderNames.Location, HeaderNames.RetryAfter)
                .SetPreflightMaxAge(PreflightMaxAge));
        });
        builder.Services.AddHostedService<BucketCors>();
    }

    /// <summary>How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours).</summary>
    private static readonly TimeSpan PreflightMaxAge = TimeSpan.FromHours(1);

    private static CorsPolicyBuilder Allow(CorsPolicyBuilder policy, IReadOnlyList<string> origins) =>
        origins is [OriginOptions.Any] ? policy.AllowAnyOrigin() : policy.WithOrigins([.. origins]);

    /// <summary>
    /// Problem details for errors and bare status codes (401, 403, 404, 405), then auth. The OpenAPI document is
    /// anonymous where <c>OpenApi:Anonymous</c> (by default: Development) says so, else it needs a token like any route.
    /// </summary>
    public static WebApplication UseApplicationPipeline(this WebApplication app)
    {
        // Every answer is JSON, a problem, or a file typed by its name: a browser must never guess another type (a
        // thumbnail taken for HTML, say). Added as the response starts, so it survives the exception handler's reset.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(
                static state =>
                {
                    ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                    return Task.CompletedTask;
                },
                context.Response);
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Before authentication: a preflight carries no token and is answered here.
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        var document = app.MapOpenApi();
        if (app.Services.GetRequiredService<ApiDocumentOptions>().IsAnonymous(app.Environment.IsDevelopment()))
        {
            document.AllowAnonymous();
        }

        return app;
    }
}
