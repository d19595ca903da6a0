using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Tests.Api;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Worker;

/// <summary>Cancel, shutdown, crashes and failures in the middle of a job: nothing lost, nothing duplicated, nothing left behind.</summary>
[Collection(MediaCollection.Name)]
public sealed class WorkerInterruptionTests(Clips clips) : IAsyncLifetime
{
    private static readonly JobOptions Slow = new() { Qualities = ["720p", "480p", "360p"], Preset = "medium", ThumbnailCount = 1 };
    private static readonly JobOptions Fast = new() { Qualities = ["360p"], Preset = "ultrafast", ThumbnailCount = 1, Dash = true };
    private Deployment _deployment = null!;

    public async Task InitializeAsync()
    {
        _deployment = new Deployment(new() { ["Worker:Concurrency"] = "1" });
        await _deployment.InitializeAsync();
    }

    public async Task DisposeAsync() => await _deployment.DisposeAsync();

    private Task<TranscodeJob> Encoding(string jobId) =>
        _deployment.WaitForAsync(jobId, j => j.Stage == JobStage.Process && j.Status == JobStatus.Processing && j.Progress.Overall > 10, TimeSpan.FromMinutes(1));

    private static IEnumerable<int> Ffmpegs(int parent) =>
        Tool.Children(parent).Where(pid => File.ReadAllText($"/proc/{pid}/comm").Trim() == "ffmpeg");

    private async Task AssertNothingLeftBehind(string jobId)
    {
        Assert.Empty(await _deployment.KeysAsync($"staging/{jobId}/"));
        await _deployment.ScratchEmptiesAsync();
    }

    [Fact]
    public async Task A_cancel_during_encode_stops_ffmpeg_within_seconds_and_leaves_the_job_cancelled_and_clean()
    {
        await _deployment.StartWorkerAsync();
        var job = await _deployment.EnqueueAsync(clips["long"], Slow);
        await Encoding(job.JobId);
        Assert.NotEmpty(Ffmpegs(Environment.ProcessId));

        var clock = Stopwatch.StartNew();
        await _deployment.Store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), CancellationToken.None);
        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancel took {clock.Elapsed}");
        Assert.Empty(Ffmpegs(Environment.ProcessId));
        Assert.Empty(await _deployment.KeysAsync("videos/"));
        await AssertNothingLeftBehind(job.JobId);
    }

    [Fact]
    public async Task Workers_that_take_different_stages_share_one_job()
    {
        await _deployment.StartWorkerAsync(new() { ["Worker:Stages"] = "fetch,publish" });
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);

        // Fetched, then it waits: this worker does not process.
        await _deployment.WaitForAsync(job.JobId, j => j.Stage == JobStage.Process && j.Status == JobStatus.Queued, TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal((JobStatus.Queued, JobStage.Process), await StatusOf(job.JobId));

        await _deployment.StartWorkerAsync(new() { ["Worker:Stages"] = "process" });
        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Contains($"videos/{job.ContentId}/hls/master.m3u8", await _deployment.KeysAsync("videos/"));
        await AssertNothingLeftBehind(job.JobId);
    }

    [Fact]
    public async Task A_failed_dash_task_is_retried_alone_without_encoding_again()
    {
        await _deployment.StartWorkerAsync(services: s => s.AddSingleton<IObjectStorage>(sp =>
            new FailingOnceStorage(ObjectStorages.Create(sp.GetRequiredService<StorageOptions>()), "/dash/manifest.mpd")));
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);

        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(1, done.RetryCount);
        var error = Assert.Single(done.Errors);
        Assert.Equal(("dash", "storage_unavailable", true), (error.Task, error.Code, error.Retryable));
        var (transcode, hls, dash) = (done.Task(JobTaskType.Transcode), done.Task(JobTaskType.Hls), done.Task(JobTaskType.Dash));
        Assert.Equal(transcode.Output, hls.Output);
        Assert.NotEqual(transcode.Output, dash.Output);
        Assert.True(transcode.CompletedAt < dash.CompletedAt);
        Assert.Equal(0, transcode.RetryCount);
        var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.Contains($"videos/{job.ContentId}/dash/manifest.mpd", published);
        Assert.Contains($"videos/{job.ContentId}/hls/360p/seg_000.m4s", published);
        await AssertNothingLeftBehind(job.JobId);
    }

    [Fact]
    public async Task Sigterm_during_encode_releases_the_job_unharmed_for_a_restarted_worker()
    {
        var job = await _deployment.EnqueueAsync(clips["long"], Slow);
        using var worker = _deployment.StartWorkerProcess();
        await Encoding(job.JobId);

        ChildProcess.Signal(worker.Id, "TERM");
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var released = (await _deployment.Store.GetAsync(job.JobId, CancellationToken.None))!;
        Assert.Equal((JobStatus.Queued, JobStage.Process), (released.Status, released.Stage));
        Assert.Empty(released.Errors);
        Assert.Equal(0, released.RetryCount);
        Assert.Null(released.Worker);

        await _deployment.StartWorkerAsync();
        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(3));
        Assert.Equal(JobStatus.Completed, done.Status);
        await AssertNothingLeftBehind(job.JobId);
    }

    [Fact]
    public async Task A_killed_worker_loses_its_job_to_another_which_finishes_it_once()
    {
        var job = await _deployment.EnqueueAsync(clips["long"], Fast with { Qualities = ["720p", "360p"], Preset = "veryfast" });
        using var worker = _deployment.StartWorkerProcess();
        var encoding = await Encoding(job.JobId);
        var crashedScratch = Path.Combine(_deployment.ScratchRoot, encoding.Worker!.WorkerId);
        Assert.True(Directory.Exists(crashedScratch));

        ChildProcess.Signal(worker.Id, "KILL");
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await _deployment.StartWorkerAsync();
        var done = await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(3));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal("worker_lost", Assert.Single(done.Errors).Code);
        Assert.Equal(["720p", "360p", "hls", "dash"], done.Outputs.Select(o => o.Quality));
        var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.Equal(published.Distinct().Count(), published.Count);
        Assert.False(Directory.Exists(crashedScratch), "the crashed worker's scratch was not removed");
        await AssertNothingLeftBehind(job.JobId);
    }

    [Fact]
    public async Task A_worker_killed_mid_publish_leaves_nothing_served_until_a_worker_finishes_the_publish()
    {
        var job = await _deployment.EnqueueAsync(clips["portrait"], Fast);
        using var worker = _deployment.StartSlowPublishWorkerProcess();
        Assert.Equal("publishing", await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        ChildProcess.Signal(worker.Id, "KILL");
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var halfPublished = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.NotEmpty(halfPublished);
        Assert.Equal((JobStatus.Processing, JobStage.Publish), await StatusOf(job.JobId));

        using var api = new ApiFactory(_deployment.Settings);
        var owner = await api.ClientAsync(job.UserId);
        Assert.Contains("\"status\":\"processing\"", await owner.GetStringAsync($"/api/content/{job.ContentId}"), StringComparison.Ordinal);
        var anonymous = api.CreateClient();
        foreach (var key in halfPublished)
        {
            Assert.Equal((key, HttpStatusCode.NotFound), (key, (await anonymous.GetAsync("/media/" + key)).StatusCode));
        }

        await _deployment.StartWorkerAsync();
        Assert.Equal(JobStatus.Completed, (await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(1))).Status);
        var published = await _deployment.KeysAsync($"videos/{job.ContentId}/");
        Assert.Superset(halfPublished.ToHashSet(), published.ToHashSet());
        foreach (var key in published)
        {
            Assert.Equal((key, HttpStatusCode.OK), (key, (await anonymous.GetAsync("/media/" + key)).StatusCode));
        }
    }

    [Fact]
    public async Task The_job_of_a_killed_worker_is_released_when_a_worker_starts_on_its_host_not_a_StuckAfter_later()
    {
        var patient = new Dictionary<string, string?> { ["Queue:StuckAfter"] = "00:05:00" };
        var job = await _deployment.EnqueueAsync(clips["long"], Fast with { Preset = "veryfast" });
        using var worker = _deployment.StartWorkerProcess(patient);
        var dead = (await Encoding(job.JobId)).Worker!.WorkerId;

        ChildProcess.Signal(worker.Id, "KILL");
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await _deployment.StartWorkerAsync(patient);

        var released = await _deployment.WaitForAsync(job.JobId, j => j.Worker?.WorkerId != dead, TimeSpan.FromSeconds(30));
        var error = Assert.Single(released.Errors);
        Assert.Equal(("worker_lost", true), (error.Code, error.Retryable));
        Assert.Contains($"{dead} is no longer running", error.Error, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Completed, (await _deployment.WaitForFinalAsync(job.JobId, TimeSpan.FromMinutes(3))).Status);
        await AssertNothingLeftBehind(job.JobId);
    }

    private async Task<(JobStatus, JobStage)> StatusOf(string jobId)
    {
        var job = (await _deployment.Store.GetAsync(jobId, CancellationToken.None))!;
        return (job.Status, job.Stage);
    }
}
