using Mixillo.Jobs.Model;
using Mixillo.Tests.Storage;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Worker;

/// <summary>The distributed configuration: PostgreSQL, a real S3 server, workers as separate processes.</summary>
[Collection(DistributedCollection.Name)]
public sealed class DistributedWorkerTests(DistributedFixture servers, Clips clips) : IAsyncLifetime
{
    private static readonly JobOptions Fast = new() { Qualities = ["480p", "360p"], Preset = "ultrafast", ThumbnailCount = 2, Dash = true };
    private Deployment _deployment = null!;

    public async Task InitializeAsync()
    {
        _deployment = new Deployment(await servers.DeploymentSettingsAsync());
        await _deployment.InitializeAsync();
    }

    public async Task DisposeAsync() => await _deployment.DisposeAsync();

    [Fact]
    public async Task A_separate_worker_process_turns_a_source_in_s3_into_the_whole_output_set_in_s3()
    {
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);
        using var worker = _deployment.StartWorkerProcess();
        try
        {
            var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(2));

            Assert.Equal(JobStatus.Completed, done.Status);
            Assert.Equal($"worker_{Environment.MachineName}_{worker.Id}", done.Worker!.WorkerId);
            Assert.Equal(["480p", "360p", "hls", "dash"], done.Outputs.Select(o => o.Quality));
            var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
            foreach (var expected in new[] { "480p.mp4", "360p.mp4", "audio.mp3", "preview.mp4", "hls/master.m3u8", "hls/480p/playlist.m3u8", "dash/manifest.mpd", "thumbnails/thumb_2.jpg" })
            {
                Assert.Contains($"videos/{job.ContentId}/{expected}", published);
            }

            // What is in S3 is a real, playable rendition.
            var local = Path.Combine(clips.Folder, $"{job.JobId}-480p.mp4");
            await _deployment.Storage.GetFileAsync($"videos/{job.ContentId}/480p.mp4", local, CancellationToken.None);
            Assert.Equal((480, 854), (Tool.Probe(local).Video().Int("width"), Tool.Probe(local).Video().Int("height")));
            Assert.Empty(await _deployment.KeysAsync("staging/"));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task An_s3_outage_during_publish_is_retried_when_s3_returns_without_encoding_again()
    {
        await _deployment.StartWorkerAsync(new() { ["Worker:Stages"] = "fetch,process" });
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);
        var processed = await _deployment.WaitForAsync(job.JobId, j => j.Stage == JobStage.Publish && j.Status == JobStatus.Queued, TimeSpan.FromMinutes(2));
        var encodedAt = processed.Task(JobTaskType.Transcode).CompletedAt;

        await servers.S3.StopGatewayAsync();
        try
        {
            await _deployment.StartWorkerAsync(new() { ["Worker:Stages"] = "publish" });
            await _deployment.WaitForAsync(job.JobId, j => j.Errors.Count > 0, TimeSpan.FromMinutes(1));
        }
        finally
        {
            await servers.S3.StartGatewayAsync();
        }

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(2));
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(encodedAt, done.Task(JobTaskType.Transcode).CompletedAt);
        Assert.All(done.Errors, e => Assert.Equal(("storage_unavailable", true), (e.Code, e.Retryable)));
        Assert.Contains($"videos/{job.ContentId}/hls/master.m3u8", await _deployment.KeysAsync($"videos/{job.ContentId}/"));
        Assert.Empty(await _deployment.KeysAsync("staging/"));
    }
}
