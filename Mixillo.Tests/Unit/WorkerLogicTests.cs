using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Media;
using Mixillo.Tests.Support;
using Mixillo.Worker.Core;
using Mixillo.Worker.Hosting;
using Mixillo.Worker.Pipeline;

namespace Mixillo.Tests.Unit;

public class WorkerLogicTests
{
    [Fact]
    public void Refusals_and_missing_objects_are_not_transient_storage_errors()
    {
        Assert.False(StorageErrors.IsTransient(new AmazonS3Exception("denied") { StatusCode = HttpStatusCode.Forbidden }));
        Assert.False(StorageErrors.IsTransient(new ObjectNotFoundException("a/b")));
        Assert.True(StorageErrors.IsTransient(new AmazonS3Exception("wrapped", new HttpRequestException("reset"))));
        // As the SDK throws for a DeleteObjects answer with per-key errors: no status, no cause. Must not recurse.
        Assert.False(StorageErrors.IsTransient(new AmazonS3Exception("some keys failed")));
    }

    [Fact]
    public void Worker_options_name_their_stages_and_are_validated()
    {
        Assert.Equal([JobStage.Process, JobStage.Publish], new WorkerOptions { Stages = "process, publish,process" }.StageList);
        Assert.Throws<ArgumentException>(new WorkerOptions { Stages = " , " }.Validate);
        Assert.Throws<ArgumentException>(new WorkerOptions { Concurrency = 0 }.Validate);
        Assert.Throws<ArgumentException>(() => new WorkerOptions { Stages = "encode" }.StageList);
    }

    [Fact]
    public void Scratch_of_dead_workers_of_this_host_is_removed_and_live_own_or_foreign_scratch_kept()
    {
        using var root = new TempFolder();
        var dead = Directory.CreateDirectory(root.File($"worker_{Environment.MachineName}_999999999")).FullName;
        var mine = Directory.CreateDirectory(root.File(WorkerIdentity.Current.WorkerId)).FullName;
        var alive = Directory.CreateDirectory(root.File($"worker_{Environment.MachineName}_1")).FullName;
        var foreign = Directory.CreateDirectory(root.File("worker_otherhost_999999999")).FullName;
        var unrelated = Directory.CreateDirectory(root.File("notes")).FullName;

        // The dead worker's ffmpeg, still running (a SIGKILLed worker's children are not told); and a process of the live one.
        File.WriteAllText(Path.Combine(dead, "source.mp4"), "");
        File.WriteAllText(Path.Combine(alive, "source.mp4"), "");
        using var orphan = Process.Start("tail", ["-f", Path.Combine(dead, "source.mp4")]);
        using var working = Process.Start("tail", ["-f", Path.Combine(alive, "source.mp4")]);
        try
        {
            var removed = ScratchCleaner.RemoveAbandoned(root.Path, WorkerIdentity.Role);

            Assert.Equal([dead], removed.Select(r => r.Folder));
            Assert.Equal([orphan.Id], removed.Single().KilledPids);
            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(5)));
            Assert.False(working.HasExited);
            Assert.True(Directory.Exists(mine) && Directory.Exists(alive) && Directory.Exists(foreign) && Directory.Exists(unrelated));
        }
        finally
        {
            working.Kill();
            orphan.Kill();
        }
    }

    [Fact]
    public async Task Two_workers_starting_together_both_survive_removing_the_same_abandoned_scratch()
    {
        using var root = new TempFolder();
        for (var round = 0; round < 10; round++)
        {
            // Crashed workers' folders, each a small tree, as a busy host leaves them.
            var abandoned = Enumerable.Range(0, 20).Select(i => Directory.CreateDirectory(root.File($"worker_{Environment.MachineName}_{999_000_000 + i}")).FullName).ToList();
            foreach (var folder in abandoned)
            {
                for (var d = 0; d < 5; d++)
                {
                    var inner = Directory.CreateDirectory(Path.Combine(folder, $"job_{d}", "hls", "720p")).FullName;
                    for (var f = 0; f < 5; f++)
                    {
                        File.WriteAllText(Path.Combine(inner, $"seg_{f}.m4s"), "x");
                    }
                }
            }

            using var start = new Barrier(2);
            var workers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return ScratchCleaner.RemoveAbandoned(root.Path, WorkerIdentity.Role);
            })).ToList();
            var removed = await Task.WhenAll(workers);

            Assert.All(abandoned, folder => Assert.False(Directory.Exists(folder)));
            Assert.Equal(abandoned.Order(), removed.SelectMany(r => r).Select(r => r.Folder).Distinct().Order());
        }
    }

    [Fact]
    public void Own_scratch_older_than_this_process_is_a_predecessors_and_goes_what_this_process_wrote_stays()
    {
        // A container restarted in place runs as the same pid: its predecessor's folder has this process's name.
        using var root = new TempFolder();
        var mine = Directory.CreateDirectory(root.File(WorkerIdentity.ProcessName("api"))).FullName;
        var before = Process.GetCurrentProcess().StartTime.ToUniversalTime() - TimeSpan.FromMinutes(1);
        var oldChunk = Path.Combine(mine, "up_1-3-abc");
        File.WriteAllText(oldChunk, "3 MB, once");
        File.SetLastWriteTimeUtc(oldChunk, before);
        var oldJob = Directory.CreateDirectory(Path.Combine(mine, "job_1-1")).FullName;
        File.WriteAllText(Path.Combine(oldJob, "source.mp4"), "");
        Directory.SetLastWriteTimeUtc(oldJob, before);
        var liveChunk = Path.Combine(mine, "up_2-0-def");
        File.WriteAllText(liveChunk, "being written by another host of this process");
        var otherRole = Directory.CreateDirectory(root.File($"worker_{Environment.MachineName}_999999999")).FullName;

        var removed = ScratchCleaner.RemoveAbandoned(root.Path, "api");

        Assert.Equal([oldJob, oldChunk], removed.Select(r => r.Folder).Order());
        Assert.False(File.Exists(oldChunk) || Directory.Exists(oldJob));
        Assert.True(File.Exists(liveChunk));
        Assert.True(Directory.Exists(otherRole), "another role's scratch is its own processes' to clean");
    }

    [Fact]
    public void A_holder_is_known_dead_only_on_this_host_when_its_pid_is_gone_or_was_reused_since_its_last_heartbeat()
    {
        var now = DateTimeOffset.UtcNow;
        var started = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime());
        WorkerInfo Holder(string workerId, DateTimeOffset lastHeartbeat) => new(workerId, "h", lastHeartbeat, lastHeartbeat);

        Assert.True(WorkerIdentity.IsKnownDead(Holder($"worker_{Environment.MachineName}_999999999", now)));
        Assert.False(WorkerIdentity.IsKnownDead(Holder(WorkerIdentity.Current.WorkerId, now)));
        Assert.True(WorkerIdentity.IsKnownDead(Holder(WorkerIdentity.Current.WorkerId, started - TimeSpan.FromMinutes(1))));
        Assert.False(WorkerIdentity.IsKnownDead(Holder($"worker_{Environment.MachineName}_1", now)));
        Assert.False(WorkerIdentity.IsKnownDead(Holder("worker_otherhost_999999999", started - TimeSpan.FromDays(1))));
        Assert.False(WorkerIdentity.IsKnownDead(Holder($"api_{Environment.MachineName}_999999999", now)));
    }

    [Fact]
    public void Encode_progress_spreads_over_ten_to_seventy_percent_and_measuring_after_it_never_goes_back()
    {
        Assert.Equal(10, StageProgress.EncodeOverall(new MediaProgress(MediaProgress.Encode, 0)));
        Assert.Equal(40, StageProgress.EncodeOverall(new MediaProgress(MediaProgress.Encode, 50)));
        Assert.Equal(70, StageProgress.EncodeOverall(new MediaProgress(MediaProgress.Encode, 100)));
        // Measuring the renditions starts its own percent at 0 after the encode reached 100.
        Assert.Equal(70, StageProgress.EncodeOverall(new MediaProgress(MediaProgress.Measure, 0)));
        Assert.Equal(70, StageProgress.EncodeOverall(new MediaProgress(MediaProgress.Measure, 100)));
    }
}
