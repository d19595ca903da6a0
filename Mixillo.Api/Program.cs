using Mixillo.Api;
using Mixillo.Api.Apis;
using Mixillo.Api.Auth;
using Mixillo.Api.Events;
using Mixillo.Api.Webhooks;

var builder = WebApplication.CreateBuilder(ContentRoot.ProgramFolder(args));
if (args is ["token", .. var rest])
{
    return TokenCommand.Run(rest, builder.Configuration, builder.Environment.IsDevelopment(), Console.Out, Console.Error);
}

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseApplicationPipeline();
app.MapDefaultEndpoints();
app.MapTranscodeApi();
app.MapContentApi();
app.MapMediaApi();
app.MapEventsApi();
app.MapWebhooksApi();
app.Lifetime.ApplicationStarted.Register(() => Startup.Announce(app));
await app.RunAsync();
return 0;
