using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Unit;

/// <summary>The events a job's methods record: one per change users and backends care about, progress throttled.</summary>
public class JobEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static TranscodeJob Running()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, maxRetries: 1);
        job.Queue(Now);
        job.Start("worker_a", "host", Now);
        job.TakeEvents();
        return job;
    }

    private static List<string> Types(TranscodeJob job) => [.. job.TakeEvents().Select(e => e.Type)];

    [Fact]
    public void A_job_records_queued_then_started_and_its_stage_once_per_claim()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, maxRetries: 1);
        Assert.Empty(job.TakeEvents());
        job.Queue(Now);
        job.Start("worker_a", "host", Now);
        var events = job.TakeEvents();
        Assert.Equal([JobEventTypes.Queued, JobEventTypes.Started, JobEventTypes.Stage], events.Select(e => e.Type));
        Assert.Equal("fetch", events[2].Data["stage"]!.GetValue<string>());
        Assert.Empty(job.TakeEvents());

        job.CompleteStage(Now);
        job.Start("worker_b", "host", Now);
        var next = job.TakeEvents();
        Assert.Equal([JobEventTypes.Stage], next.Select(e => e.Type));
        Assert.Equal("process", next[0].Data["stage"]!.GetValue<string>());
    }

    [Fact]
    public void Progress_is_an_event_at_most_once_a_second_and_at_every_whole_ten_percent()
    {
        var job = Running();
        var recorded = new List<double>();
        // A report every 200 ms, 1 % apart: 0..29 %.
        for (var i = 0; i < 30; i++)
        {
            job.ReportProgress(new JobProgress { Overall = i, CurrentTask = "transcode" }, Now + TimeSpan.FromMilliseconds(200 * i));
            recorded.AddRange(job.TakeEvents().Select(e => e.Data["overall"]!.GetValue<double>()));
        }

        // The first report, one a second after it (5, 10 ... also crossings), and the crossings of 10 and 20 %.
        Assert.Equal([0, 5, 10, 15, 20, 25], recorded);
        job.ReportProgress(new JobProgress { Overall = 30.5 }, Now + TimeSpan.FromMilliseconds(6010));
        job.ReportProgress(new JobProgress { Overall = 31 }, Now + TimeSpan.FromMilliseconds(6020));
        job.ReportProgress(new JobProgress { Overall = 40 }, Now + TimeSpan.FromMilliseconds(6030));
        Assert.Equal([30.5, 40], job.TakeEvents().Select(e => e.Data["overall"]!.GetValue<double>()));
    }

    [Fact]
    public void Completion_carries_the_playback_failure_its_error_and_retries_say_which_kind()
    {
        var job = Running();
        job.AddOutput(new JobOutput { Quality = "360p", Key = "videos/c/360p.mp4", Width = 360, Height = 640, BitrateBps = 800_000 });
        job.AddOutput(new JobOutput { Quality = "hls", Key = "videos/c/hls/", ManifestKey = "videos/c/hls/master.m3u8" });
        job.Complete(Now);
        var completed = Assert.Single(job.TakeEvents());
        Assert.Equal(JobEventTypes.Completed, completed.Type);
        Assert.Equal("/media/videos/c/hls/master.m3u8", completed.Data["playback"]!["hls"]!.GetValue<string>());
        Assert.Equal("/media/videos/c/360p.mp4", completed.Data["playback"]!["renditions"]![0]!["url"]!.GetValue<string>());

        var failing = Running();
        var error = new JobError { Task = "transcode", Code = "ffmpeg_failed", Error = "boom", Timestamp = Now, Retryable = true };
        Assert.True(failing.Fail(error, Now, 0));
        var retried = Assert.Single(failing.TakeEvents());
        Assert.Equal(JobEventTypes.Retried, retried.Type);
        Assert.True(retried.Data["automatic"]!.GetValue<bool>());
        Assert.Equal("ffmpeg_failed", retried.Data["error"]!["code"]!.GetValue<string>());

        failing.Start("worker_a", "host", Now);
        failing.TakeEvents();
        Assert.False(failing.Fail(error, Now, 0));
        var failed = Assert.Single(failing.TakeEvents());
        Assert.Equal(JobEventTypes.Failed, failed.Type);
        Assert.Equal("boom", failed.Data["message"]!.GetValue<string>());

        Assert.Throws<RetriesExhaustedException>(() => failing.Retry(Now, 7));
        Assert.Empty(failing.TakeEvents());
    }

    [Fact]
    public void An_operators_retry_is_retried_then_queued_and_a_cancel_is_cancelled_whether_waiting_or_running()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, maxRetries: 3);
        job.Queue(Now);
        job.Start("worker_a", "host", Now);
        job.Fail(new JobError { Task = "job", Code = "input_malformed", Error = "no video", Timestamp = Now, Retryable = false }, Now, 0);
        job.TakeEvents();
        job.Retry(Now, 7);
        Assert.Equal([JobEventTypes.Retried, JobEventTypes.Queued], Types(job));

        Assert.Equal(CancelOutcome.Cancelled, job.Cancel(Now));
        Assert.Equal([JobEventTypes.Cancelled], Types(job));

        var running = Running();
        Assert.Equal(CancelOutcome.Requested, running.Cancel(Now));
        Assert.Empty(Types(running));
        running.Cancelled(Now);
        Assert.Equal([JobEventTypes.Cancelled], Types(running));
    }
}
