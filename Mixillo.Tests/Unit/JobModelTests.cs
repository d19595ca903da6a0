using System.Text.Json;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Unit;

public class JobModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<JobStatus, JobStatus, bool> Transitions()
    {
        var allowed = new HashSet<(JobStatus, JobStatus)>
        {
            (JobStatus.Pending, JobStatus.Queued), (JobStatus.Pending, JobStatus.Cancelled),
            (JobStatus.Queued, JobStatus.Processing), (JobStatus.Queued, JobStatus.Cancelled),
            (JobStatus.Processing, JobStatus.Completed), (JobStatus.Processing, JobStatus.Failed),
            (JobStatus.Processing, JobStatus.Cancelled), (JobStatus.Processing, JobStatus.Queued),
            (JobStatus.Failed, JobStatus.Queued),
        };
        var data = new TheoryData<JobStatus, JobStatus, bool>();
        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                data.Add(from, to, allowed.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Every_pair_of_statuses_is_allowed_or_refused_as_designed(JobStatus from, JobStatus to, bool allowed)
    {
        Assert.Equal(allowed, JobStateMachine.CanMove(from, to));
        if (!allowed)
        {
            var error = Assert.Throws<IllegalTransitionException>(() => JobStateMachine.Ensure("job_1", from, to));
            Assert.Equal((from, to), (error.From, error.To));
            Assert.Equal("illegal_transition", error.Error.Code);
        }
    }

    [Fact]
    public void Only_completed_and_cancelled_are_final() =>
        Assert.Equal([JobStatus.Completed, JobStatus.Cancelled], Enum.GetValues<JobStatus>().Where(JobStateMachine.IsFinal));

    [Theory]
    [InlineData(0, 0, 2000)]
    [InlineData(1, 0, 4000)]
    [InlineData(2, 0, 8000)]
    [InlineData(0, 0.998, 2499)]
    [InlineData(30, 0.5, 600_000)]
    public void Backoff_doubles_from_two_seconds_with_up_to_a_quarter_of_jitter(int retry, double jitter, int expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Delay(retry, jitter).TotalMilliseconds, precision: 0);

    [Fact]
    public void Job_ids_carry_the_time_and_nine_random_characters()
    {
        var id = JobIds.New(Now);
        Assert.Matches($"^job_{Now.ToUnixTimeMilliseconds()}_[a-z0-9]{{9}}$", id);
        Assert.NotEqual(id, JobIds.New(Now));
        Assert.True(JobIds.IsValid(id));
        Assert.False(JobIds.IsValid("../etc"));
        Assert.False(JobIds.IsValid(""));
        Assert.False(JobIds.IsValid(new string('a', 65)));
    }

    [Fact]
    public void A_new_job_gets_one_task_per_requested_output()
    {
        var none = TranscodeJob.Create(JobFactory.New(options: new JobOptions { Hls = false, ThumbnailCount = 0, Preview = false, Audio = false }), Now, 3);
        Assert.Equal([JobTaskType.Transcode], none.Tasks.Select(t => t.Type));
        Assert.Equal(JobStatus.Pending, none.Status);

        var all = TranscodeJob.Create(JobFactory.New(options: new JobOptions { Dash = true }), Now, 3);
        Assert.Equal(["transcode", "thumbnail", "hls", "dash", "preview", "audio_extract"], all.Tasks.Select(t => t.TaskId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void A_new_job_is_validated(int priority)
    {
        Assert.Throws<ArgumentException>(() => TranscodeJob.Create(JobFactory.New(priority), Now, 3));
        Assert.Throws<ArgumentException>(() => TranscodeJob.Create(JobFactory.New() with { ContentId = "a/b" }, Now, 3));
        Assert.Throws<ArgumentException>(() => TranscodeJob.Create(JobFactory.New() with { UserId = " " }, Now, 3));
    }

    [Theory]
    [InlineData("4k", 5, "medium")]
    [InlineData("720p", 21, "medium")]
    [InlineData("720p", 5, "placebo")]
    public void A_new_job_with_options_the_engine_cannot_run_is_refused_at_enqueue(string quality, int thumbnails, string preset) =>
        Assert.Throws<ArgumentException>(() => TranscodeJob.Create(
            JobFactory.New(options: new JobOptions { Qualities = [quality], ThumbnailCount = thumbnails, Preset = preset }), Now, 3));

    [Fact]
    public void An_estimate_known_at_enqueue_is_kept()
    {
        var estimate = new JobCost(1.5m, 0.25m, 0.25m);
        Assert.Equal(2m, TranscodeJob.Create(JobFactory.New() with { EstimatedCost = estimate }, Now, 3).EstimatedCost!.Total);
    }

    [Fact]
    public void A_cancel_requested_during_a_stage_ends_the_job_at_the_stage_end_or_release_and_a_retry_forgets_it()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, 3);
        job.Queue(Now);
        job.Start("w", "h", Now);
        job.Cancel(Now);
        Assert.False(job.CompleteStage(Now));
        Assert.Equal(JobStatus.Cancelled, job.Status);

        var released = TranscodeJob.Create(JobFactory.New(), Now, 3);
        released.Queue(Now);
        released.Start("w", "h", Now);
        released.Cancel(Now);
        released.Release(Now);
        Assert.Equal(JobStatus.Cancelled, released.Status);

        var failed = TranscodeJob.Create(JobFactory.New(), Now, 3);
        failed.Queue(Now);
        failed.Start("w", "h", Now);
        failed.Cancel(Now);
        failed.Fail(JobFactory.Error(retryable: false), Now, 0);
        failed.Retry(Now, 7);
        Assert.False(failed.CancelRequested);
    }

    [Fact]
    public void A_cancel_requested_job_that_fails_is_not_retried()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, 3);
        job.Queue(Now);
        job.Start("w", "h", Now);
        Assert.Equal(CancelOutcome.Requested, job.Cancel(Now));
        Assert.False(job.Fail(JobFactory.Error(retryable: true), Now, 0));
        Assert.Equal(JobStatus.Failed, job.Status);
    }

    [Fact]
    public void An_encoding_job_becomes_playable_once_per_lease_and_a_new_encode_forgets_the_stream_of_the_last()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, 3);
        job.Queue(Now);
        job.Start("w", "h", Now);
        Assert.Throws<InvalidOperationException>(() => job.MarkPlayable(Now));
        job.CompleteStage(Now);
        job.Start("w", "h", Now);
        job.TakeEvents();

        job.MarkPlayable(Now);
        job.MarkPlayable(Now.AddSeconds(1));

        Assert.Equal(new LiveStream(job.LeaseToken, Now), job.Live);
        var playable = Assert.Single(job.TakeEvents());
        Assert.Equal(Jobs.Events.JobEventTypes.Playable, playable.Type);
        Assert.Equal($"/media/live/{job.ContentId}/{job.LeaseToken}/hls/master.m3u8", playable.Data["playback"]!["hls"]!.GetValue<string>());
        Assert.Equal(job.Live!.Hls(job.ContentId), Playback.Live(job)!.Hls);
        Assert.Equal(job.Live, JobJson.Deserialize(JobJson.Serialize(job)).Live);

        // The worker died mid-encode: its stream ends with it; the next attempt encodes again, under a new lease, and
        // starts a new one. A worker that stops and releases the job mid-encode ends it the same way.
        job.Fail(JobFactory.Error(retryable: true), Now, 0);
        Assert.Null(job.Live);
        Assert.Null(Playback.Live(job));
        job.Start("w2", "h", Now);
        job.MarkPlayable(Now);
        Assert.Equal(job.LeaseToken, job.Live!.Lease);
        job.Release(Now);
        Assert.Null(job.Live);

        // Once the encode is done (its HLS with it), a retry that only has DASH left keeps the stream, which is whole.
        job.Start("w3", "h", Now);
        job.MarkPlayable(Now);
        var live = job.Live;
        job.CompleteTask(JobTaskType.Transcode, "staging/x/", Now);
        job.CompleteTask(JobTaskType.Hls, "staging/x/", Now);
        job.Fail(JobFactory.Error(retryable: true), Now, 0);
        job.Start("w4", "h", Now);
        Assert.Equal(live, job.Live);
    }

    [Fact]
    public void The_document_uses_the_products_words_and_round_trips()
    {
        var job = TranscodeJob.Create(JobFactory.New(), Now, 3);
        job.Queue(Now);
        job.Start("worker_h_1", "h", Now);
        job.Outputs.Add(new JobOutput { Quality = "720p", Key = "videos/c/720p.mp4" });
        var json = JobJson.Serialize(job);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("processing", root.GetProperty("status").GetString());
        Assert.Equal("audio_extract", root.GetProperty("tasks")[4].GetProperty("type").GetString());
        Assert.Equal("worker_h_1", root.GetProperty("worker").GetProperty("workerId").GetString());
        Assert.False(root.TryGetProperty("leaseToken", out _));
        Assert.False(root.TryGetProperty("animatedPreview", out _));

        var back = JobJson.Deserialize(json);
        Assert.Equal(JobStatus.Processing, back.Status);
        Assert.Equal(job.Worker, back.Worker);
        Assert.Equal(job.Outputs, back.Outputs);
        Assert.Equal(job.StartedAt, back.StartedAt);
        Assert.Equal(JobTaskType.AudioExtract, JobJson.Parse<JobTaskType>("audio_extract"));
        Assert.Throws<ArgumentException>(() => JobJson.Parse<JobStatus>("paused"));
    }
}
