using System.Security.Claims;
using Mixillo.Api.Apis;
using Mixillo.Api.Auth;
using Mixillo.Api.Http;
using Mixillo.Errors;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Events;

/// <summary>
/// Server-sent event streams of job events: one content's (its owner or an admin), ending after a final state, and
/// every job's (admins), filtered by type. A client resumes with the <c>Last-Event-ID</c> header (browsers send it when
/// they reconnect) or the <c>lastEventId</c> query parameter.
/// </summary>
public static class EventsApi
{
    /// <summary>The frame a content stream starts with when it does not resume: the content as <c>GET /api/content/{id}</c> shows it.</summary>
    public const string StateEvent = "state";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/content/{contentId}/events", StreamContent)
            .WithTags("Content").WithName("StreamContentEvents").WithSummary("The content's state, then its job events as they happen (text/event-stream)")
            .Produces<JobEvent>(StatusCodes.Status200OK, EventStream.ContentType)
            .ProducesProblems(ErrorCatalog.ContentNotFound)
            .RequireCors(OriginOptions.ApiPolicy);
        app.MapGet("/api/transcode/events", StreamAll)
            .WithTags("Transcode (admin)").WithName("StreamJobEvents").WithSummary("Every job's events as they happen, optionally of some types (text/event-stream)")
            .Produces<JobEvent>(StatusCodes.Status200OK, EventStream.ContentType)
            .RequireAuthorization(AuthOptions.AdminPolicy).RequireCors(OriginOptions.ApiPolicy);
        return app;
    }

    public static async Task<IResult> StreamContent(
        HttpContext http, IJobStore store, IJobEvents events, EventFeed feed, IObjectStorage storage, EventOptions options, IHostApplicationLifetime lifetime,
        string contentId, string? lastEventId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!TryResumePoint(http.Request, lastEventId, out var resume))
        {
            return BadLastEventId();
        }

        if (await ContentApi.OwnedJobAsync(store, contentId, user, cancellationToken) is null)
        {
            return ContentApi.ContentNotFound(contentId);
        }

        return await EventStream.RunAsync(http.Response, options, lifetime, async (stream, ending) =>
        {
            using var live = feed.Subscribe(e => e.ContentId == contentId);
            var after = resume ?? 0;
            // A fresh stream, or one resuming from an event no longer kept: the current state first. Its id is the last
            // event read before the state, so what follows may repeat a change the state shows, but never misses one.
            if (resume is not { } from || !await IsKeptAsync(events, contentId, from, ending))
            {
                after = Math.Max(after, await events.LastEventIdAsync(contentId, ending));
                var job = await store.GetByContentAsync(contentId, ending);
                var state = await ContentView.OfAsync(job!, await ContentApi.PositionAsync(store, job!, ending), storage);
                await stream.WriteAsync(after, StateEvent, state, ending);
                if (state.Status != ContentView.Processing)
                {
                    return;
                }
            }

            await stream.FollowAsync(after, from => events.EventsAsync(new EventQuery(from, contentId), ending), live, e => JobEventTypes.IsFinal(e.Type), ending);
        });
    }

    public static async Task<IResult> StreamAll(
        HttpContext http, IJobEvents events, EventFeed feed, EventOptions options, IHostApplicationLifetime lifetime,
        string? lastEventId, string? types, CancellationToken cancellationToken)
    {
        if (!TryResumePoint(http.Request, lastEventId, out var resume))
        {
            return BadLastEventId();
        }

        var wanted = (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (wanted.FirstOrDefault(type => !JobEventTypes.All.Contains(type)) is { } unknown)
        {
            return Problems.Of(ErrorCatalog.BadRequest, $"Unknown event type '{unknown}'; types is a comma-separated list of {string.Join(", ", JobEventTypes.All)}.");
        }

        var filter = wanted.Length == 0 ? null : wanted.ToHashSet(StringComparer.Ordinal);
        return await EventStream.RunAsync(http.Response, options, lifetime, async (stream, ending) =>
        {
            using var live = feed.Subscribe(e => filter?.Contains(e.Type) ?? true);
            // Without a resume point the stream starts now: an admin watching, not replaying the retention window.
            var after = resume ?? await events.LastEventIdAsync(null, ending);
            await stream.FollowAsync(after, from => events.EventsAsync(new EventQuery(from, Types: filter), ending), live, _ => false, ending);
        });
    }

    /// <summary>The id to resume after, from the header (which browsers send) or the query; false when what the client sent is not an id.</summary>
    private static bool TryResumePoint(HttpRequest request, string? query, out long? after)
    {
        after = null;
        var sent = request.Headers["Last-Event-ID"].FirstOrDefault() ?? query;
        if (string.IsNullOrEmpty(sent))
        {
            return true;
        }

        if (!long.TryParse(sent, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        after = id;
        return true;
    }

    /// <summary>Whether the content's event <paramref name="id"/> is still kept (0: before its first, always).</summary>
    private static async Task<bool> IsKeptAsync(IJobEvents events, string contentId, long id, CancellationToken cancellationToken) =>
        id == 0 || await events.EventsAsync(new EventQuery(id - 1, contentId, Limit: 1), cancellationToken) is [{ Id: var first }] && first == id;

    private static IResult BadLastEventId() =>
        Problems.Of(ErrorCatalog.BadRequest, "Last-Event-ID (or lastEventId) is the id of an event this service sent: a whole number.");
}
