using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Mixillo.Api.Auth;
using Mixillo.Api.Http;
using Mixillo.Errors;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Api.Webhooks;

/// <summary>Webhook endpoints and their deliveries (admins): job events POSTed, signed as Standard Webhooks has it.</summary>
public static class WebhooksApi
{
    public const int DefaultDeliveryLimit = 50;
    public const int MaxDeliveryLimit = 500;

    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/webhooks").WithTags("Webhooks (admin)").RequireAuthorization(AuthOptions.AdminPolicy).RequireCors(OriginOptions.ApiPolicy).WithJsonBodyLimit();

        api.MapPost("/", Create).WithName("CreateWebhook").WithSummary("Register an endpoint; the answer holds its signing secret, shown only here")
            .ProducesProblems(ErrorCatalog.WebhookUrlInvalid, ErrorCatalog.WebhookUrlRefused);
        api.MapGet("/", List).WithName("ListWebhooks").WithSummary("Every endpoint");
        api.MapGet("/{webhookId}", Get).WithName("GetWebhook").WithSummary("One endpoint, with why it was disabled")
            .ProducesProblems(ErrorCatalog.WebhookNotFound);
        api.MapPut("/{webhookId}", Update).WithName("UpdateWebhook").WithSummary("Change an endpoint's url, events and enabled (enabling clears why it was disabled)")
            .ProducesProblems(ErrorCatalog.WebhookNotFound, ErrorCatalog.WebhookUrlInvalid, ErrorCatalog.WebhookUrlRefused);
        api.MapDelete("/{webhookId}", Delete).WithName("DeleteWebhook").WithSummary("Remove an endpoint and its deliveries")
            .ProducesProblems(ErrorCatalog.WebhookNotFound);
        api.MapGet("/{webhookId}/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("The endpoint's deliveries, newest first: status, attempts, last response, next attempt")
            .ProducesProblems(ErrorCatalog.WebhookNotFound);
        api.MapPost("/{webhookId}/deliveries/{deliveryId}/redeliver", Redeliver).WithName("RedeliverWebhook").WithSummary("Send a delivered or failed delivery again, now")
            .ProducesProblems(ErrorCatalog.WebhookNotFound, ErrorCatalog.WebhookDeliveryNotFound, ErrorCatalog.WebhookDeliveryPending);
        return app;
    }

    public static async Task<Results<Created<Envelope<WebhookView>>, ProblemHttpResult>> Create(
        IWebhookStore store, WebhookOptions options, TimeProvider time, WebhookRequest request, CancellationToken cancellationToken)
    {
        if (await CheckAsync(request, options, cancellationToken) is { } problem)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var endpoint = new WebhookEndpoint(
            "wh_" + RandomNumberGenerator.GetString(IdAlphabet, 16), request.Url!, Events(request), request.Enabled ?? true, WebhookSigner.NewSecret(), now, now);
        await store.CreateEndpointAsync(endpoint, cancellationToken);
        return TypedResults.Created($"/api/webhooks/{endpoint.Id}", Envelope.Of(WebhookView.Of(endpoint) with { Secret = endpoint.Secret }));
    }

    public static async Task<Ok<Envelope<IReadOnlyList<WebhookView>>>> List(IWebhookStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(Envelope.Of<IReadOnlyList<WebhookView>>([.. (await store.ListEndpointsAsync(cancellationToken)).Select(WebhookView.Of)]));

    public static async Task<Results<Ok<Envelope<WebhookView>>, ProblemHttpResult>> Get(IWebhookStore store, string webhookId, CancellationToken cancellationToken) =>
        JobIds.IsValid(webhookId) && await store.GetEndpointAsync(webhookId, cancellationToken) is { } endpoint
            ? TypedResults.Ok(Envelope.Of(WebhookView.Of(endpoint)))
            : NotFound(webhookId);

    public static async Task<Results<Ok<Envelope<WebhookView>>, ProblemHttpResult>> Update(
        IWebhookStore store, WebhookOptions options, string webhookId, WebhookRequest request, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(webhookId))
        {
            return NotFound(webhookId);
        }

        if (await CheckAsync(request, options, cancellationToken) is { } problem)
        {
            return problem;
        }

        return await store.UpdateEndpointAsync(webhookId, request.Url!, Events(request), request.Enabled ?? true, cancellationToken) is { } endpoint
            ? TypedResults.Ok(Envelope.Of(WebhookView.Of(endpoint)))
            : NotFound(webhookId);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(IWebhookStore store, string webhookId, CancellationToken cancellationToken) =>
        JobIds.IsValid(webhookId) && await store.DeleteEndpointAsync(webhookId, cancellationToken) ? TypedResults.NoContent() : NotFound(webhookId);

    public static async Task<Results<Ok<Envelope<IReadOnlyList<WebhookDeliveryView>>>, ProblemHttpResult>> Deliveries(
        IWebhookStore store, string webhookId, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxDeliveryLimit)
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"limit is 1-{MaxDeliveryLimit}.");
        }

        if (!JobIds.IsValid(webhookId) || await store.GetEndpointAsync(webhookId, cancellationToken) is null)
        {
            return NotFound(webhookId);
        }

        var deliveries = await store.DeliveriesAsync(webhookId, limit ?? DefaultDeliveryLimit, cancellationToken);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<WebhookDeliveryView>>([.. deliveries.Select(WebhookDeliveryView.Of)]));
    }

    public static async Task<Results<Accepted<Envelope<WebhookDeliveryView>>, ProblemHttpResult>> Redeliver(
        IWebhookStore store, string webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        if (JobIds.IsValid(webhookId) && JobIds.IsValid(deliveryId) && await store.RedeliverAsync(webhookId, deliveryId, cancellationToken))
        {
            var delivery = await store.GetDeliveryAsync(webhookId, deliveryId, cancellationToken);
            return TypedResults.Accepted($"/api/webhooks/{webhookId}/deliveries", Envelope.Of(WebhookDeliveryView.Of(delivery!)));
        }

        return JobIds.IsValid(webhookId) && JobIds.IsValid(deliveryId) && await store.GetDeliveryAsync(webhookId, deliveryId, cancellationToken) is not null
            ? Problems.Of(ErrorCatalog.WebhookDeliveryPending, $"Delivery {deliveryId} is pending: it is sent (again) when due.")
            : Problems.Of(ErrorCatalog.WebhookDeliveryNotFound, $"No delivery {deliveryId} of webhook {webhookId}.");
    }

    /// <summary>Null when the registration may be kept: a URL that is http(s) and public (unless allowed otherwise), known event types.</summary>
    private static async Task<ProblemHttpResult?> CheckAsync(WebhookRequest request, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (!WebhookUrlGuard.TryParse(request.Url, out var uri, out var problem))
        {
            return Problems.Of(ErrorCatalog.WebhookUrlInvalid, problem);
        }

        if (request.Events?.Where(type => type is null || !JobEventTypes.All.Contains(type)).Select(type => type ?? "null").FirstOrDefault() is { } unknown)
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"Unknown event type '{unknown}'; events is a list of {string.Join(", ", JobEventTypes.All)} (empty: every type).");
        }

        return !options.AllowPrivateNetworks && await WebhookUrlGuard.RefusalAsync(uri, cancellationToken) is { } refusal
            ? Problems.Of(ErrorCatalog.WebhookUrlRefused, refusal)
            : null;
    }

    private static IReadOnlyList<string> Events(WebhookRequest request) => [.. (request.Events ?? []).Distinct(StringComparer.Ordinal)];

    private static ProblemHttpResult NotFound(string webhookId) => Problems.Of(ErrorCatalog.WebhookNotFound, $"No webhook {webhookId}.");
}
