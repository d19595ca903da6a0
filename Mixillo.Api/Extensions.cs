using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Mixillo.Api.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mixillo.Api.Http;
using Mixillo.Api.Uploads;
using Mixillo.Jobs.Model;
using Mixillo.Worker.Hosting;

namespace Mixillo.Api;

public static class Extensions
{
    /// <summary>
    /// Store, storage and engine; the worker too when <c>Worker:InProcess</c> (the embedded default); JWT auth;
    /// problem details with stable codes; JSON in the product's words; the OpenAPI document.
    /// </summary>
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddMixilloCore(configuration);
        if (configuration.GetValue("Worker:InProcess", defaultValue: true))
        {
            builder.Services.AddMixilloWorker(configuration);
        }

        builder.Services.TryAddSingleton(configuration.GetSection(CostOptions.Section).Get<CostOptions>() ?? new CostOptions());
        builder.Services.AddSingleton(configuration.GetSection(UploadOptions.Section).Get<UploadOptions>() ?? new UploadOptions());
        builder.Services.AddSingleton(TranscodeDefaults(configuration));
        builder.Services.AddSingleton<UploadService>();
        builder.Services.AddHostedService<UploadSweeper>();
        builder.Services.AddHostedService<QueueGauges>();

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var key = auth.Key(builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(auth);
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                // Claims keep their JWT names (sub, role) rather than being renamed to long URIs.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = Tokens.Validation(auth, key);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthOptions.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(AuthOptions.AdminRole))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["success"] = false;
            context.ProblemDetails.Extensions.TryAdd("code", ErrorCodes.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
            // Never a stack trace or exception text in a body, whatever the environment.
            context.ProblemDetails.Extensions.Remove("exception");
        });
        builder.Services.AddExceptionHandler<ExceptionProblems>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The job options of an upload: <c>Transcode:Qualities</c>, <c>Transcode:ThumbnailCount</c>, <c>Transcode:Preset</c>; HLS on, DASH off.</summary>
    private static JobOptions TranscodeDefaults(IConfiguration configuration)
    {
        var section = configuration.GetSection("Transcode");
        var defaults = new JobOptions
        {
            Qualities = section["Qualities"] is { } qualities ? qualities.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : new JobOptions().Qualities,
            ThumbnailCount = section.GetValue("ThumbnailCount", new JobOptions().ThumbnailCount),
            Preset = section["Preset"] ?? new JobOptions().Preset,
        };
        defaults.ToTranscodeOptions();
        return defaults;
    }

    /// <summary>Problem details for errors and bare status codes (401, 403, 404, 405), then auth.</summary>
    public static WebApplication UseApplicationPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }
}
