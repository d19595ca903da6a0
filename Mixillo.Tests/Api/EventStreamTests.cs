using System.Net;
using Mixillo.Jobs.Events;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>Job events as server-sent events over real HTTP, on the embedded default (SQLite, a folder, the worker in the API).</summary>
[Collection(MediaCollection.Name)]
public sealed class EventStreamTests(Clips clips) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly KestrelApiFactory _api = new(new Dictionary<string, string?>(Uploads.QuickJobs())
    {
        ["Worker:InProcess"] = "true",
        ["Worker:ProgressInterval"] = "00:00:00.250",
        ["Events:Heartbeat"] = "00:00:00.500",
    });

    private static bool IsFinal(SseFrame frame) => JobEventTypes.IsFinal(frame.Type!);

    [Fact]
    public async Task A_stream_resumed_with_last_event_id_continues_without_a_gap_or_a_repeat_to_the_end()
    {
        var client = await _api.ClientAsync("alice");
        var upload = await Uploads.SendAsync(client, clips["portrait"]);
        var path = $"/api/content/{upload.ContentId}/events";

        // From the first event (0: before it), two events, then the connection drops.
        List<SseFrame> before;
        await using (var first = await SseClient.OpenAsync(client, path, lastEventId: "0"))
        {
            Assert.Equal(HttpStatusCode.OK, first.Response.StatusCode);
            Assert.Equal("text/event-stream", first.Response.Content.Headers.ContentType?.MediaType);
            before = [];
            while (before.Count < 2 && await first.NextAsync(Patience) is { } frame)
            {
                if (frame.Type is not null)
                {
                    before.Add(frame);
                }
            }
        }

        await using var resumed = await SseClient.OpenAsync(client, path, lastEventId: before[^1].Id);
        var after = await resumed.EventsAsync(IsFinal, Patience);
        Assert.Null(await resumed.NextAsync(Patience));

        // The whole history of the content, read again once the job is over: what the two connections got, exactly.
        await using var replay = await SseClient.OpenAsync(client, path, lastEventId: "0");
        var all = await replay.EventsAsync(IsFinal, Patience);
        Assert.Equal(all.Select(e => e.Id), before.Concat(after).Select(e => e.Id));
        Assert.Equal(all.Select(e => e.Data), before.Concat(after).Select(e => e.Data));

        var types = all.Select(e => e.Type).ToList();
        Assert.Equal([JobEventTypes.Queued, JobEventTypes.Started, JobEventTypes.Stage], types.Take(3));
        Assert.Equal(JobEventTypes.Completed, types[^1]);
        Assert.Equal(["fetch", "process", "publish"], all.Where(e => e.Type == JobEventTypes.Stage).Select(e => e.Json.GetProperty("data").GetProperty("stage").GetString()));
        Assert.Contains(JobEventTypes.Progress, types);
        // Progress never goes back within the job (one attempt here): each step's own percent is mapped into the whole.
        var overall = all.Where(e => e.Type == JobEventTypes.Progress).Select(e => e.Json.GetProperty("data").GetProperty("overall").GetDouble()).ToList();
        Assert.Equal(overall.Order(), overall);
        Assert.True(all.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).Order().SequenceEqual(all.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture))));

        var completed = all[^1].Json;
        Assert.Equal(upload.ContentId, completed.GetProperty("contentId").GetString());
        Assert.Equal(upload.JobId, completed.GetProperty("jobId").GetString());
        Assert.Equal("alice", completed.GetProperty("userId").GetString());
        Assert.Equal(all[^1].Id, completed.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var hls = completed.GetProperty("data").GetProperty("playback").GetProperty("hls").GetString();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(hls)).StatusCode);
    }

    [Fact]
    public async Task A_fresh_stream_starts_with_the_state_and_a_finished_content_ends_there()
    {
        var client = await _api.ClientAsync("bob");
        var upload = await Uploads.SendAsync(client, clips["tiny"]);
        var path = $"/api/content/{upload.ContentId}/events";

        await using (var live = await SseClient.OpenAsync(client, path))
        {
            var frames = await live.EventsAsync(IsFinal, Patience);
            Assert.Equal(EventsApiState, frames[0].Type);
            Assert.Equal(upload.ContentId, frames[0].Json.GetProperty("contentId").GetString());
            Assert.Equal(JobEventTypes.Completed, frames[^1].Type);
            Assert.Null(await live.NextAsync(Patience));
        }

        await using var late = await SseClient.OpenAsync(client, path);
        var state = await late.NextAsync(Patience) is { Type: null } ? await late.NextAsync(Patience) : null;
        Assert.Equal(EventsApiState, state!.Type);
        Assert.Equal("ready", state.Json.GetProperty("status").GetString());
        Assert.Null(await late.NextAsync(Patience));
    }

    [Fact]
    public async Task Streams_refuse_other_users_bad_ids_and_unknown_types_and_admins_filter_by_type()
    {
        var owner = await _api.ClientAsync("carol");
        var admin = await _api.ClientAsync("root", "admin");
        await using var completions = await SseClient.OpenAsync(admin, "/api/transcode/events?types=job.completed");
        Assert.Equal(HttpStatusCode.OK, completions.Response.StatusCode);

        var upload = await Uploads.SendAsync(owner, clips["tiny"]);
        var stranger = await _api.ClientAsync("mallory");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/content/{upload.ContentId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.GetAsync($"/api/content/{upload.ContentId}/events?lastEventId=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/transcode/events?types=job.exploded")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync("/api/transcode/events")).StatusCode);

        var frames = await completions.EventsAsync(f => f.Json.GetProperty("contentId").GetString() == upload.ContentId, Patience);
        Assert.All(frames, f => Assert.Equal(JobEventTypes.Completed, f.Type));
        Assert.Equal(upload.ContentId, frames[^1].Json.GetProperty("contentId").GetString());
    }

    private const string EventsApiState = Mixillo.Api.Events.EventsApi.StateEvent;

    public void Dispose() => _api.Dispose();
}
