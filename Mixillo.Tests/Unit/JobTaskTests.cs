using Mixillo.Jobs.Model;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Unit;

public class JobTaskTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static TranscodeJob Job() => TranscodeJob.Create(JobFactory.New(), Start, 3);

    [Fact]
    public void A_task_runs_from_pending_through_progress_to_completed_with_its_output()
    {
        var job = Job();
        job.UpdateTask(JobTaskType.Transcode, 40, Start);
        job.UpdateTask(JobTaskType.Transcode, 30, Start.AddSeconds(5));
        var task = job.Task(JobTaskType.Transcode);
        Assert.Equal((JobTaskStatus.Processing, 40.0, Start), (task.Status, task.Progress, task.StartedAt!.Value));

        job.CompleteTask(JobTaskType.Transcode, "videos/c/720p.mp4", Start.AddSeconds(9));
        Assert.Equal((JobTaskStatus.Completed, 100.0, "videos/c/720p.mp4"), (task.Status, task.Progress, task.Output));
        Assert.Equal(Start.AddSeconds(9), task.CompletedAt);
        Assert.Throws<InvalidOperationException>(() => job.UpdateTask(JobTaskType.Transcode, 50, Start));
    }

    [Fact]
    public void A_failed_task_keeps_its_error_until_it_is_reset_alone()
    {
        var job = Job();
        job.CompleteTask(JobTaskType.Hls, "videos/c/hls/master.m3u8", Start);
        job.FailTask(JobTaskType.Thumbnail, "ffmpeg wrote no thumbnails", Start);
        Assert.Equal("ffmpeg wrote no thumbnails", job.Task(JobTaskType.Thumbnail).Error);

        job.ResetTask(JobTaskType.Thumbnail);
        var reset = job.Task(JobTaskType.Thumbnail);
        Assert.Equal((JobTaskStatus.Pending, 0.0, null, 1), (reset.Status, reset.Progress, reset.Error, reset.RetryCount));
        Assert.Equal(JobTaskStatus.Completed, job.Task(JobTaskType.Hls).Status);
    }

    [Fact]
    public void Tasks_can_be_skipped_and_added_later_once()
    {
        var job = Job();
        job.SkipTask(JobTaskType.AudioExtract, Start);
        Assert.Equal(JobTaskStatus.Skipped, job.Task(JobTaskType.AudioExtract).Status);

        Assert.Throws<KeyNotFoundException>(() => job.Task(JobTaskType.Dash));
        var dash = job.AddTask(JobTaskType.Dash);
        Assert.Same(dash, job.AddTask(JobTaskType.Dash));
        Assert.Single(job.Tasks, t => t.Type == JobTaskType.Dash);
    }

    [Fact]
    public void Outputs_and_thumbnails_replace_earlier_ones_of_the_same_name()
    {
        var job = Job();
        job.AddOutput(new JobOutput { Quality = "720p", Key = "a", SizeBytes = 1 });
        job.AddOutput(new JobOutput { Quality = "480p", Key = "b" });
        job.AddOutput(new JobOutput { Quality = "720p", Key = "a", SizeBytes = 2 });
        Assert.Equal([("480p", 0L), ("720p", 2L)], job.Outputs.Select(o => (o.Quality, o.SizeBytes)));

        job.AddThumbnail(new JobThumbnail("t1", 1, 720, 1280));
        job.AddThumbnail(new JobThumbnail("t1", 1.5, 720, 1280));
        Assert.Equal(1.5, Assert.Single(job.Thumbnails).OffsetSeconds);
    }
}
