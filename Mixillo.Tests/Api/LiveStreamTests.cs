using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Events;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Media.Packaging;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Support;
using Mixillo.Tests.Worker;

namespace Mixillo.Tests.Api;

/// <summary>
/// Content that plays while it encodes: the embedded default (SQLite, a storage folder, the worker in the API). Encodes
/// run at the source's own pace (<see cref="RealtimeFfmpeg"/>), so each check meets the job part-way.
/// </summary>
[Collection(MediaCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveStreamTests(Clips clips)
{
    [Fact]
    public async Task An_upload_plays_while_it_encodes_and_its_urls_then_play_the_finished_stream()
    {
        await using var site = await LiveSite.StartAsync(embedded: true);

        await LivePlayer.PlaysWhileItEncodesAsync(site.Api, clips["fourteen"], site.Tools);
        Assert.Empty(await site.Deployment.KeysAsync("staging/"));
    }

    [Fact]
    public async Task A_cancelled_job_takes_its_early_stream_away()
    {
        await using var site = await LiveSite.StartAsync(embedded: true);
        var client = await site.Api.ClientAsync("mona");
        var upload = await Uploads.SendAsync(client, clips["fourteen"]);
        var hls = (await LivePlayer.WaitPlayableAsync(client, upload.ContentId)).GetProperty("playback").GetProperty("hls").GetString()!;
        var anonymous = site.Api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(hls)).StatusCode);

        var admin = await site.Api.ClientAsync("root", AuthOptions.AdminRole);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/transcode/jobs/{upload.JobId}/cancel", null)).StatusCode);
        var content = await LivePlayer.WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing");

        Assert.Equal(("failed", "cancelled", false), (content.GetProperty("status").GetString(), content.GetProperty("error").GetProperty("code").GetString(), content.GetProperty("playable").GetBoolean()));
        Assert.False(content.TryGetProperty("playback", out _));
        await Task.Delay(LivePlayer.Freshness);
        foreach (var path in new[] { hls, hls.Replace("master.m3u8", "360p/playlist.m3u8", StringComparison.Ordinal), hls.Replace("master.m3u8", "360p/seg_000.m4s", StringComparison.Ordinal) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
        }

        Assert.Empty(await site.Deployment.KeysAsync($"staging/{upload.JobId}/"));
    }
    [Fact]
    public async Task An_encode_that_fails_takes_its_early_stream_with_it_and_the_retry_plays_at_new_urls()
    {
        await using var site = await LiveSite.StartAsync(embedded: true);
        var client = await site.Api.ClientAsync("rosa");
        var anonymous = site.Api.CreateClient();
        var upload = await Uploads.SendAsync(client, clips["fourteen"]);
        var failed = (await LivePlayer.WaitPlayableAsync(client, upload.ContentId)).GetProperty("playback").GetProperty("hls").GetString()!;
        var lease = (await site.Deployment.Store.GetAsync(upload.JobId, CancellationToken.None))!.Live!.Lease;
        Assert.NotEmpty(await site.Deployment.KeysAsync($"staging/{upload.JobId}/attempt-{lease}/hls/"));

        // The encode dies (its ffmpeg killed, a retryable failure): the attempt removes what it published.
        var ffmpeg = Assert.Single(Tool.Children(Environment.ProcessId), pid => Tool.TryRead($"/proc/{pid}/cmdline")?.Contains(upload.JobId, StringComparison.Ordinal) == true);
        System.Diagnostics.Process.GetProcessById(ffmpeg).Kill();
        var retried = await site.Deployment.WaitForAsync(upload.JobId, j => j.RetryCount == 1, TimeSpan.FromMinutes(1));
        Assert.Equal("encode_failed", Assert.Single(retried.Errors).Code);
        await Task.Delay(LivePlayer.Freshness);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(failed)).StatusCode);
        Assert.Empty(await site.Deployment.KeysAsync($"staging/{upload.JobId}/attempt-{lease}/"));

        var again = await LivePlayer.WaitContentAsync(
            client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing" || c.GetProperty("playable").GetBoolean(), TimeSpan.FromMinutes(2));
        Assert.NotEqual(failed, again.GetProperty("playback").GetProperty("hls").GetString());
        var ready = await LivePlayer.WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing", TimeSpan.FromMinutes(2));
        await LivePlayer.FinishedAsync(anonymous, ready.GetProperty("playback").GetProperty("hls").GetString()!, site.Tools);
    }

    [Fact]
    public async Task A_segment_the_early_stream_failed_to_upload_goes_up_with_the_encode_and_is_published()
    {
        await using var site = await LiveSite.StartAsync(embedded: false);
        await site.Deployment.StartWorkerAsync(services: s => s.AddSingleton<IObjectStorage>(sp =>
            new FailingOnceStorage(ObjectStorages.Create(sp.GetRequiredService<StorageOptions>()), "/hls/360p/seg_000.m4s")));
        var client = await site.Api.ClientAsync("paul");
        var upload = await Uploads.SendAsync(client, clips["fourteen"]);

        var ready = await LivePlayer.WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing", TimeSpan.FromMinutes(2));

        // The early stream stopped at its first failure (before it was playable); the job went on and lost nothing.
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Null((await site.Deployment.Store.GetAsync(upload.JobId, CancellationToken.None))!.Live);
        Assert.Contains($"videos/{upload.ContentId}/hls/360p/seg_000.m4s", await site.Deployment.KeysAsync($"videos/{upload.ContentId}/"));
        await LivePlayer.FinishedAsync(site.Api.CreateClient(), ready.GetProperty("playback").GetProperty("hls").GetString()!, site.Tools);
    }

    [Fact]
    public async Task While_publish_removes_staging_the_live_urls_play_from_the_published_files()
    {
        await using var site = await LiveSite.StartAsync(embedded: false);
        HeldStagingRemoval? storage = null;
        await site.Deployment.StartWorkerAsync(services: s => s.AddSingleton<IObjectStorage>(sp =>
            storage = new HeldStagingRemoval(ObjectStorages.Create(sp.GetRequiredService<StorageOptions>()))));
        var client = await site.Api.ClientAsync("otto");
        var anonymous = site.Api.CreateClient();
        var upload = await Uploads.SendAsync(client, clips["fourteen"]);
        var hls = (await LivePlayer.WaitPlayableAsync(client, upload.ContentId)).GetProperty("playback").GetProperty("hls").GetString()!;

        await storage!.Removed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            // Staging is gone and the job not completed yet: the published copies answer.
            Assert.Empty(await site.Deployment.KeysAsync($"staging/{upload.JobId}/"));
            var content = JsonDocument.Parse(await client.GetStringAsync($"/api/content/{upload.ContentId}")).RootElement.GetProperty("data");
            Assert.Equal(("processing", hls), (content.GetProperty("status").GetString(), content.GetProperty("playback").GetProperty("hls").GetString()));
            var playlist = MediaPlaylist.Parse(await anonymous.GetStringAsync(hls.Replace("master.m3u8", "360p/playlist.m3u8", StringComparison.Ordinal)));
            Assert.Equal((false, true, 3), (playlist.IsVod, playlist.HasEndList, playlist.Segments.Count));
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(hls.Replace("master.m3u8", "360p/seg_002.m4s", StringComparison.Ordinal))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(hls)).StatusCode);
        }
        finally
        {
            storage.Release.TrySetResult();
        }

        var ready = await LivePlayer.WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    /// <summary>Real storage whose removal of a job's staging, once done, waits for the test: a publish held between removing staging and completing.</summary>
    private sealed class HeldStagingRemoval(IObjectStorage inner) : StorageDecorator(inner)
    {
        public TaskCompletionSource Removed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
        {
            var removed = await base.DeletePrefixAsync(prefix, cancellationToken);
            if (prefix.StartsWith(OutputKeys.StagingRoot, StringComparison.Ordinal))
            {
                Removed.TrySetResult();
                await Release.Task;
            }

            return removed;
        }
    }
}


/// <summary>The same with PostgreSQL, a real S3 server and the worker as a separate process, which a test may kill.</summary>
[Collection(DistributedCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveStreamDistributedTests(DistributedFixture servers, Clips clips)
{
    [Fact]
    public async Task An_upload_plays_from_s3_while_a_separate_worker_encodes_it()
    {
        await using var site = await LiveSite.StartAsync(embedded: false, live => servers.DeploymentSettingsAsync(new(live) { ["Webhooks:AllowPrivateNetworks"] = "true" }));
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await site.Api.ClientAsync("root", AuthOptions.AdminRole);
        (await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { JobEventTypes.Playable } })).EnsureSuccessStatusCode();
        using var worker = site.Deployment.StartWorkerProcess();
        try
        {
            var hls = await LivePlayer.PlaysWhileItEncodesAsync(site.Api, clips["fourteen"], site.Tools);
            Assert.Empty(await site.Deployment.KeysAsync("staging/"));

            // The app's backend hears of it too.
            var hook = JsonDocument.Parse(Assert.Single(await receiver.WaitForAsync(r => r.Count > 0, TimeSpan.FromSeconds(30))).Body).RootElement;
            Assert.Equal((JobEventTypes.Playable, hls), (hook.GetProperty("type").GetString(), hook.GetProperty("data").GetProperty("playback").GetProperty("hls").GetString()));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_worker_killed_mid_encode_leaves_no_broken_stream_and_the_next_attempt_plays_at_new_urls()
    {
        await using var site = await LiveSite.StartAsync(embedded: false, servers.DeploymentSettingsAsync);
        var client = await site.Api.ClientAsync("nils");
        var anonymous = site.Api.CreateClient();
        using var first = site.Deployment.StartWorkerProcess();
        var upload = await Uploads.SendAsync(client, clips["fourteen"]);
        var crashed = (await LivePlayer.WaitPlayableAsync(client, upload.ContentId)).GetProperty("playback").GetProperty("hls").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(crashed)).StatusCode);

        first.Kill(entireProcessTree: true);
        using var second = site.Deployment.StartWorkerProcess();
        try
        {
            // The job is found stuck and encoded again, under a new lease: a new stream at new URLs.
            var restarted = await LivePlayer.WaitContentAsync(
                client,
                upload.ContentId,
                c => c.GetProperty("status").GetString() != "processing" || (c.GetProperty("playable").GetBoolean() && c.GetProperty("playback").GetProperty("hls").GetString() != crashed),
                TimeSpan.FromMinutes(2));
            Assert.Equal("processing", restarted.GetProperty("status").GetString());
            var hls = restarted.GetProperty("playback").GetProperty("hls").GetString()!;
            Assert.StartsWith($"/media/live/{upload.ContentId}/", hls, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(hls)).StatusCode);
            // The crashed attempt's stream is not served any more: a player on it gets a 404, never a playlist that stopped.
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(crashed)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(crashed.Replace("master.m3u8", "360p/playlist.m3u8", StringComparison.Ordinal))).StatusCode);

            var ready = await LivePlayer.WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing", TimeSpan.FromMinutes(2));
            Assert.Equal("ready", ready.GetProperty("status").GetString());
            await LivePlayer.FinishedAsync(anonymous, ready.GetProperty("playback").GetProperty("hls").GetString()!, site.Tools);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(crashed)).StatusCode);
            Assert.Empty(await site.Deployment.KeysAsync("staging/"));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>
/// A deployment for a live test, its settings from <see cref="LivePlayer.Settings"/> (made distributed by
/// <c>distributed</c> when given), with its API on Kestrel; <see cref="Tools"/> holds the test's ffmpeg.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LiveSite : IAsyncDisposable
{
    private LiveSite(TempFolder tools, Deployment deployment)
    {
        Tools = tools;
        Deployment = deployment;
        Api = new KestrelApiFactory(deployment.Settings);
    }

    public TempFolder Tools { get; }

    public Deployment Deployment { get; }

    public KestrelApiFactory Api { get; }

    public static async Task<LiveSite> StartAsync(bool embedded, Func<Dictionary<string, string?>, Task<Dictionary<string, string?>>>? distributed = null)
    {
        var tools = new TempFolder();
        var settings = LivePlayer.Settings(tools, embedded);
        var deployment = new Deployment(distributed is null ? settings : await distributed(settings));
        await deployment.InitializeAsync();
        return new LiveSite(tools, deployment);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Deployment.DisposeAsync();
        Tools.Dispose();
    }
}

/// <summary>What a player and an app see of a live stream, for both deployments.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LivePlayer
{
    /// <summary>How long the API may remember a content's stream (<c>LiveStreams</c>).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1.5);

    /// <summary>The 14 s clip has 420 frames; every rung keeps its 30 fps.</summary>
    private const int Frames = 420;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>Two rungs and the audio, encoded at the source's pace; the worker in the API when <paramref name="embedded"/>.</summary>
    public static Dictionary<string, string?> Settings(TempFolder tools, bool embedded) => new()
    {
        ["Worker:InProcess"] = embedded ? "true" : "false",
        ["Media:FfmpegPath"] = RealtimeFfmpeg.Create(tools),
        ["Transcode:Qualities"] = "360p,240p",
        ["Transcode:ThumbnailCount"] = "1",
        ["Transcode:Preset"] = "ultrafast",
        ["Upload:ChunkSize"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Task<JsonElement> WaitPlayableAsync(HttpClient client, string contentId) =>
        WaitContentAsync(client, contentId, c => c.GetProperty("playable").GetBoolean() || c.GetProperty("status").GetString() != "processing");

    public static async Task<JsonElement> WaitContentAsync(HttpClient client, string contentId, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var content = JsonDocument.Parse(await client.GetStringAsync($"/api/content/{contentId}")).RootElement.GetProperty("data");
            if (done(content) || clock.Elapsed > (timeout ?? Patience))
            {
                return content;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Uploads the clip; as soon as the content says it plays (still processing), fetches the master and a growing
    /// playlist and has ffmpeg follow it from the first segment over HTTP, decoding every frame, until the playlist
    /// says it ended. Then the content is ready, the same URLs serve the finished stream, and the events said so.
    /// </summary>
    /// <returns>The live master's URL.</returns>
    public static async Task<string> PlaysWhileItEncodesAsync(KestrelApiFactory api, string clip, TempFolder tools)
    {
        var client = await api.ClientAsync("lena");
        var anonymous = api.CreateClient();
        var upload = await Uploads.SendAsync(client, clip);
        await using var events = await SseClient.OpenAsync(client, $"/api/content/{upload.ContentId}/events");

        var content = await WaitPlayableAsync(client, upload.ContentId);
        Assert.Equal(("processing", true), (content.GetProperty("status").GetString(), content.GetProperty("playable").GetBoolean()));
        var hls = content.GetProperty("playback").GetProperty("hls").GetString()!;
        Assert.Matches($"^/media/live/{upload.ContentId}/[0-9]+/hls/master.m3u8$", hls);
        var master = await anonymous.GetAsync(hls);
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        Assert.Equal("no-cache", master.Headers.CacheControl?.ToString());
        var lines = (await master.Content.ReadAsStringAsync()).Split('\n');
        Assert.Equal(["360p/playlist.m3u8", "240p/playlist.m3u8"], lines.Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("#EXT-X-MEDIA:TYPE=AUDIO", StringComparison.Ordinal) && l.Contains("URI=\"audio/playlist.m3u8\"", StringComparison.Ordinal));

        var variant = hls.Replace("master.m3u8", "360p/playlist.m3u8", StringComparison.Ordinal);
        var growing = MediaPlaylist.Parse(await anonymous.GetStringAsync(variant));
        Assert.False(growing.IsVod || growing.HasEndList, "the early playlist is marked as growing and not ended");
        Assert.InRange(growing.Segments.Count, 1, 2);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(variant.Replace("playlist.m3u8", growing.InitSegment!, StringComparison.Ordinal))).StatusCode);

        // A player from the first segment: it waits for each new one and stops where the finished playlist ends.
        var played = tools.File("played.framemd5");
        var playing = Task.Run(() => Tool.Run("ffmpeg", ["-v", "error", "-live_start_index", "0", "-i", anonymous.BaseAddress + variant.TrimStart('/'), "-f", "framemd5", played]));
        var still = JsonDocument.Parse(await client.GetStringAsync($"/api/content/{upload.ContentId}")).RootElement.GetProperty("data");
        Assert.Equal("processing", still.GetProperty("status").GetString());
        await playing.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(Frames, File.ReadLines(played).Count(l => !l.StartsWith('#')));

        var ready = await WaitContentAsync(client, upload.ContentId, c => c.GetProperty("status").GetString() != "processing");
        Assert.Equal(("ready", true), (ready.GetProperty("status").GetString(), ready.GetProperty("playable").GetBoolean()));
        var published = ready.GetProperty("playback").GetProperty("hls").GetString()!;
        Assert.Equal($"/media/videos/{upload.ContentId}/hls/master.m3u8", published);
        var finished = MediaPlaylist.Parse(await FinishedAsync(anonymous, published, tools));
        // The live URLs now serve the published files: a player still on them gets the finished playlist, as an EVENT
        // playlist that ended (an EVENT playlist never changes its type), and the published master.
        await Task.Delay(Freshness);
        var ended = MediaPlaylist.Parse(await anonymous.GetStringAsync(variant));
        Assert.Equal((false, true), (ended.IsVod, ended.HasEndList));
        Assert.Equal(finished.Segments, ended.Segments);
        Assert.Equal(await anonymous.GetStringAsync(published), await anonymous.GetStringAsync(hls));

        var sent = await events.EventsAsync(f => f.Type is not null && JobEventTypes.IsFinal(f.Type), Patience);
        var types = sent.Select(f => f.Type).ToList();
        var playable = Assert.Single(sent, f => f.Type == JobEventTypes.Playable);
        Assert.Equal(hls, playable.Json.GetProperty("data").GetProperty("playback").GetProperty("hls").GetString());
        Assert.True(types.IndexOf(JobEventTypes.Playable) < types.IndexOf(JobEventTypes.Completed));
        return hls;
    }

    /// <summary>The published stream is VOD: its 360p playlist is ended and ffmpeg decodes every frame through it. Returns that playlist.</summary>
    public static async Task<string> FinishedAsync(HttpClient anonymous, string master, TempFolder tools)
    {
        var variant = master.Replace("master.m3u8", "360p/playlist.m3u8", StringComparison.Ordinal);
        var text = await anonymous.GetStringAsync(variant);
        var playlist = MediaPlaylist.Parse(text);
        Assert.True(playlist.IsVod && playlist.HasEndList, "the published playlist is a finished VOD");
        Assert.Equal([6, 6, 2], playlist.Segments.Select(s => Math.Round(s.DurationSeconds)));
        var decoded = tools.File($"published-{Guid.NewGuid():N}.framemd5");
        Tool.Run("ffmpeg", ["-v", "error", "-i", anonymous.BaseAddress + variant.TrimStart('/'), "-f", "framemd5", decoded]);
        Assert.Equal(Frames, File.ReadLines(decoded).Count(l => !l.StartsWith('#')));
        return text;
    }
}
