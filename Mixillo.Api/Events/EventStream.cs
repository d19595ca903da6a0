using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;

namespace Mixillo.Api.Events;

/// <summary>
/// Writes one server-sent event stream: history from the store after the client's last event, then live events,
/// a comment every <see cref="EventOptions.Heartbeat"/> while idle; each event carries its id, so a client that
/// reconnects with Last-Event-ID gets the rest without a gap or a repeat.
/// </summary>
public sealed class EventStream(HttpResponse response, EventOptions options)
{
    public const string ContentType = "text/event-stream";

    /// <summary>How long a client waits before reconnecting, as the stream tells it.</summary>
    private const int RetryMs = 3000;

    /// <summary>
    /// Starts the stream and runs <paramref name="body"/> with a token that ends when the client goes or when the instance
    /// stops (rather than hold shutdown for its timeout: the client reconnects, here or elsewhere, with its last id).
    /// Either is a normal end.
    /// </summary>
    public static async Task<IResult> RunAsync(HttpResponse response, EventOptions options, IHostApplicationLifetime lifetime, Func<EventStream, CancellationToken, Task> body)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping, response.HttpContext.RequestAborted);
        var stream = new EventStream(response, options);
        try
        {
            await stream.StartAsync(ending.Token);
            await body(stream, ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
        }

        return Results.Empty;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache, no-store";
        // Proxies such as nginx would otherwise hold events back to fill a buffer.
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await WriteAsync($"retry: {RetryMs}\n\n", cancellationToken);
    }

    /// <param name="id">Null for a frame that is not an event of the store (a state); the client's last id stays as it was.</param>
    public Task WriteAsync(long? id, string type, object data, CancellationToken cancellationToken)
    {
        var frame = new StringBuilder();
        if (id is { } eventId)
        {
            frame.Append("id: ").Append(eventId).Append('\n');
        }

        frame.Append("event: ").Append(type).Append('\n');
        frame.Append("data: ").Append(JsonSerializer.Serialize(data, JobJson.Options)).Append("\n\n");
        return WriteAsync(frame.ToString(), cancellationToken);
    }

    public Task WriteAsync(JobEvent jobEvent, CancellationToken cancellationToken) => WriteAsync(jobEvent.Id, jobEvent.Type, jobEvent, cancellationToken);

    /// <summary>
    /// Sends the events after <paramref name="after"/>: those <paramref name="history"/> reads from the store, then
    /// the live ones of <paramref name="live"/> (subscribed before the history was read). Returns when
    /// <paramref name="isLast"/> says an event ends the stream, when the client falls too far behind, or when it goes.
    /// </summary>
    public async Task FollowAsync(long after, Func<long, Task<IReadOnlyList<JobEvent>>> history, EventSubscription live, Func<JobEvent, bool> isLast, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await history(after);
            foreach (var jobEvent in batch)
            {
                await WriteAsync(jobEvent, cancellationToken);
                after = jobEvent.Id;
                if (isLast(jobEvent))
                {
                    return;
                }
            }

            if (batch.Count < EventQuery.DefaultLimit)
            {
                break;
            }
        }

        var waiting = live.Reader.WaitToReadAsync(cancellationToken).AsTask();
        while (true)
        {
            if (await Task.WhenAny(waiting, Task.Delay(options.Heartbeat, cancellationToken)) != waiting)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await WriteAsync(": keep-alive\n\n", cancellationToken);
                continue;
            }

            if (!await waiting)
            {
                // The feed gave up on this client: it fell too far behind. It resumes from its last id.
                await WriteAsync(": closed: this client fell too far behind; reconnect with Last-Event-ID to resume\n\n", cancellationToken);
                return;
            }

            while (live.Reader.TryRead(out var jobEvent))
            {
                if (jobEvent.Id <= after)
                {
                    continue;
                }

                await WriteAsync(jobEvent, cancellationToken);
                after = jobEvent.Id;
                if (isLast(jobEvent))
                {
                    return;
                }
            }

            waiting = live.Reader.WaitToReadAsync(cancellationToken).AsTask();
        }
    }

    private async Task WriteAsync(string frame, CancellationToken cancellationToken)
    {
        await response.WriteAsync(frame, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
