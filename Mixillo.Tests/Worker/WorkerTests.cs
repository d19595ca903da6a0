using Microsoft.Extensions.DependencyInjection;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Worker;

/// <summary>The worker host, in this process, on the embedded configuration (SQLite + a storage folder).</summary>
[Collection(MediaCollection.Name)]
public sealed class WorkerTests(Clips clips) : IAsyncLifetime
{
    private static readonly JobOptions Fast = new() { Qualities = ["480p", "360p"], Preset = "ultrafast", ThumbnailCount = 2, Dash = true };
    private Deployment _deployment = null!;

    public async Task InitializeAsync()
    {
        _deployment = new Deployment([]);
        await _deployment.InitializeAsync();
    }

    public async Task DisposeAsync() => await _deployment.DisposeAsync();

    [Fact]
    public async Task Staging_of_cancelled_and_deleted_jobs_is_swept_and_that_of_failed_and_waiting_jobs_kept()
    {
        var none = CancellationToken.None;
        var store = _deployment.Store;
        var cancelled = await store.CreateAsync(JobFactory.New(), queue: true, none);
        await store.ChangeAsync(cancelled.JobId, (j, now) => j.Cancel(now), none);
        var failed = await store.CreateAsync(JobFactory.New(), queue: true, none);
        var ghost = await store.ClaimAsync("ghost", "gone", none);
        await store.UpdateAsync(ghost.Lease!, (j, now) => j.Fail(JobFactory.Error(retryable: false), now, 0), none);
        var waiting = await store.CreateAsync(JobFactory.New(), queue: false, none);
        var staged = new[] { cancelled.JobId, failed.JobId, waiting.JobId, "job_1_deleted" };
        var file = Path.GetTempFileName();
        foreach (var jobId in staged)
        {
            await _deployment.Storage.PutFileAsync(OutputKeys.Attempt(jobId, 1) + "360p.mp4", file, none);
        }

        File.Delete(file);
        await _deployment.StartWorkerAsync(new() { ["Worker:StagingSweepInterval"] = "00:00:00.5" });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await _deployment.KeysAsync(OutputKeys.StagingRoot)).Count > 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.Equal(
            new[] { OutputKeys.Attempt(failed.JobId, 1) + "360p.mp4", OutputKeys.Attempt(waiting.JobId, 1) + "360p.mp4" }.Order(StringComparer.Ordinal),
            (await _deployment.KeysAsync(OutputKeys.StagingRoot)).Order(StringComparer.Ordinal));
        Assert.Equal(JobStatus.Failed, (await store.GetAsync(failed.JobId, none))!.Status);
    }

    [Fact]
    public async Task A_source_in_storage_becomes_the_whole_output_set_and_a_completed_job()
    {
        await _deployment.StartWorkerAsync();
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(2));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(100, done.Progress.Overall);
        Assert.All(done.Tasks, t => Assert.Equal(JobTaskStatus.Completed, t.Status));
        var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.Contains($"videos/{job.ContentId}/480p.mp4", published);
        Assert.Contains($"videos/{job.ContentId}/360p.mp4", published);
        Assert.Contains($"videos/{job.ContentId}/hls/master.m3u8", published);
        Assert.Contains($"videos/{job.ContentId}/dash/manifest.mpd", published);
        Assert.Contains($"videos/{job.ContentId}/audio.mp3", published);
        Assert.Contains($"videos/{job.ContentId}/preview.mp4", published);
        Assert.Equal(2, published.Count(k => k.Contains("/thumbnails/", StringComparison.Ordinal)));
        Assert.Contains(published, k => k.EndsWith("/hls/480p/seg_000.m4s", StringComparison.Ordinal));

        Assert.Equal(["480p", "360p", "hls", "dash"], done.Outputs.Select(o => o.Quality));
        var rendition = done.Outputs[0];
        Assert.Equal((480, 854), (rendition.Width, rendition.Height));
        Assert.Equal((await _deployment.Storage.StatAsync(rendition.Key, CancellationToken.None))!.SizeBytes, rendition.SizeBytes);
        Assert.Equal(2, done.Thumbnails.Count);
        Assert.NotNull(done.AnimatedPreview);
        Assert.Equal(44100, done.AudioTrack!.SampleRate);
        Assert.Equal(4, done.SourceFile.Metadata!.DurationSeconds, precision: 0);

        Assert.True(done.Usage.CpuSeconds > 0 && done.Usage.BytesRead > 0 && done.Usage.BytesWritten > 0);
        Assert.True(done.ActualCost!.Total > 0);
        Assert.NotNull(done.EstimatedCost);
        Assert.Empty(await _deployment.KeysAsync("staging/"));
        Assert.Empty(Directory.GetFiles(_deployment.ScratchRoot, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_job_whose_renditions_were_encoded_before_the_encode_cut_hls_is_encoded_again_whole()
    {
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast with { Dash = false });
        // As the version before this one could leave a job: its encode done and recorded, its HLS still to cut.
        await _deployment.Store.ChangeAsync(
            job.JobId,
            (j, now) =>
            {
                j.CompleteTask(JobTaskType.Transcode, "staging/earlier/", now);
                j.CompleteTask(JobTaskType.Thumbnail, "staging/earlier/", now);
                j.AddOutput(new JobOutput { Quality = "480p", Key = "staging/earlier/480p.mp4" });
            },
            CancellationToken.None);
        await _deployment.StartWorkerAsync();

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(2));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.All(done.Tasks, t => Assert.Equal(JobTaskStatus.Completed, t.Status));
        Assert.Equal((1, 1), (done.Task(JobTaskType.Transcode).RetryCount, done.Task(JobTaskType.Thumbnail).RetryCount));
        Assert.Equal(["360p", "480p", "hls"], done.Outputs.Select(o => o.Quality).Order(StringComparer.Ordinal));
        Assert.Equal($"videos/{job.ContentId}/480p.mp4", done.Outputs.Single(o => o.Quality == "480p").Key);
        var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.Contains($"videos/{job.ContentId}/hls/480p/seg_000.m4s", published);
        Assert.Contains($"videos/{job.ContentId}/hls/master.m3u8", published);
    }

    [Fact]
    public async Task A_source_below_every_rung_is_published_and_recorded_as_source()
    {
        await _deployment.StartWorkerAsync();
        var job = await _deployment.EnqueueAsync(clips["small"], Fast with { ThumbnailCount = 1 });

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(2));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(["source", "hls", "dash"], done.Outputs.Select(o => o.Quality));
        Assert.Equal(($"videos/{job.ContentId}/source.mp4", 200, 356), (done.Outputs[0].Key, done.Outputs[0].Width, done.Outputs[0].Height));
        Assert.Contains($"videos/{job.ContentId}/hls/source/seg_000.m4s", await _deployment.KeysAsync($"videos/{job.ContentId}/"));
    }

    [Fact]
    public async Task A_worker_whose_scratch_disk_is_below_its_floor_claims_nothing_and_says_so_in_health()
    {
        var host = await _deployment.StartWorkerAsync(new() { ["Worker:MinFreeBytes"] = (1L << 60).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(JobStatus.Queued, (await _deployment.Store.GetAsync(job.JobId, CancellationToken.None))!.Status);
        var health = await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Entries["free-space"].Status);
        await _deployment.Store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), CancellationToken.None);
    }

    [Theory]
    [InlineData("text", "input_not_video")]
    [InlineData("truncated", "input_truncated")]
    [InlineData("claims5", "input_too_long")]
    [InlineData("restarting", "input_too_long")]
    public async Task Invalid_input_fails_at_once_with_its_code_and_leaves_nothing_staged(string clip, string code)
    {
        await _deployment.StartWorkerAsync();
        var job = await _deployment.EnqueueAsync(clips[clip], Fast);

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(0, done.RetryCount);
        var error = Assert.Single(done.Errors);
        Assert.Equal((code, false, "transcode"), (error.Code, error.Retryable, error.Task));
        Assert.Equal(JobTaskStatus.Failed, done.Task(JobTaskType.Transcode).Status);
        Assert.Empty(await _deployment.KeysAsync("staging/"));
        Assert.Empty(await _deployment.KeysAsync("videos/"));
    }

    [Fact]
    public async Task A_missing_source_fails_as_source_missing()
    {
        await _deployment.StartWorkerAsync();
        var job = await _deployment.EnqueueAsync(clips["tiny"], Fast);
        await _deployment.Storage.DeleteAsync(job.SourceFile.Key, CancellationToken.None);

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal("source_missing", Assert.Single(done.Errors).Code);
    }
}
