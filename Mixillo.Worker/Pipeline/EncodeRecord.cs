using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Media.Results;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// The encode's results written to the job: renditions, HLS, and the thumbnail, preview and audio tasks (done, or
/// skipped when there was nothing to make). Tasks an earlier encode completed are reopened: this one's results replace theirs.
/// </summary>
internal static class EncodeRecord
{
    public static Task SaveAsync(StageContext context, EncodeOutput encoded, string attempt, CancellationToken cancellationToken)
    {
        var prefix = OutputKeys.Published(context.Job.ContentId);
        return context.ChangeAsync(
            (j, now) =>
            {
                Reopen(j, JobTaskType.Transcode);
                j.CompleteTask(JobTaskType.Transcode, attempt, now);
                foreach (var file in encoded.Renditions)
                {
                    j.AddOutput(new JobOutput
                    {
                        Quality = file.Name,
                        Key = prefix + file.Path,
                        SizeBytes = file.SizeBytes,
                        BitrateBps = file.BitrateBps,
                        Width = file.Width ?? 0,
                        Height = file.Height ?? 0,
                        DurationSeconds = file.DurationSeconds,
                        Codec = file.VideoCodec,
                    });
                }

                Finish(j, JobTaskType.Thumbnail, encoded.Thumbnails.Count > 0, now, attempt, () =>
                {
                    foreach (var thumbnail in encoded.Thumbnails)
                    {
                        j.AddThumbnail(new JobThumbnail(prefix + thumbnail.Path, thumbnail.OffsetSeconds, thumbnail.Width, thumbnail.Height));
                    }
                });
                Finish(j, JobTaskType.Preview, encoded.Preview is not null, now, attempt, () =>
                    j.RecordPreview(new AnimatedPreview(prefix + encoded.Preview!.Path, encoded.Preview.DurationSeconds, encoded.Preview.Width ?? 0, encoded.Preview.Height ?? 0)));
                Finish(j, JobTaskType.AudioExtract, encoded.Audio is not null, now, attempt, () =>
                    j.RecordAudio(new AudioTrack(prefix + encoded.Audio!.Path, (int)(encoded.Audio.BitrateBps / 1000), encoded.Audio.SampleRate ?? 0, encoded.Audio.DurationSeconds)));
                Finish(j, JobTaskType.Hls, encoded.Hls is not null, now, attempt, () => j.AddOutput(Stream(j.ContentId, JobTaskType.Hls, encoded.Hls!)));
                j.ReportProgress(new JobProgress { Overall = encoded.Hls is null ? StageProgress.EncodeTo : StageProgress.HlsDone, CurrentTask = "transcode", CurrentStep = "encoded" }, now);
            },
            cancellationToken);
    }

    /// <summary>A stream's record among the job's outputs (named after its task: <c>hls</c>, <c>dash</c>), keyed where publish puts it.</summary>
    public static JobOutput Stream(string contentId, JobTaskType task, StreamOutput stream)
    {
        var manifest = OutputKeys.Published(contentId) + stream.Manifest;
        return new JobOutput
        {
            Quality = JobJson.Name(task),
            Key = manifest,
            ManifestKey = manifest,
            SegmentCount = stream.Variants.Max(v => v.SegmentCount),
            SegmentDurationSeconds = stream.TargetSegmentSeconds,
        };
    }

    /// <summary>A task of the encode: completed with its output, or skipped when there was nothing to make (a silent source has no MP3).</summary>
    private static void Finish(TranscodeJob job, JobTaskType type, bool produced, DateTimeOffset now, string attempt, Action record)
    {
        if (job.Tasks.All(t => t.Type != type))
        {
            return;
        }

        Reopen(job, type);
        if (produced)
        {
            record();
            job.CompleteTask(type, attempt, now);
        }
        else
        {
            job.SkipTask(type, now);
        }
    }

    private static void Reopen(TranscodeJob job, JobTaskType type)
    {
        if (job.Task(type).Status is JobTaskStatus.Completed or JobTaskStatus.Skipped)
        {
            job.ResetTask(type);
        }
    }
}
