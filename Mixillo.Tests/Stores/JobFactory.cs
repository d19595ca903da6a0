using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Tests.Stores;

internal static class JobFactory
{
    public static NewJob New(int priority = NewJob.DefaultPriority, string user = "user_1", JobOptions? options = null) => new()
    {
        ContentId = "content_" + Guid.NewGuid().ToString("N")[..8],
        UserId = user,
        Source = new SourceFile { Key = "uploads/clip.mp4", OriginalName = "clip.mp4", SizeBytes = 1234, MimeType = "video/mp4" },
        Options = options ?? new JobOptions(),
        Priority = priority,
    };

    /// <summary>Creates the job and takes it, as a worker would, to completed or (not retryable) failed; no other job may be waiting.</summary>
    public static async Task<TranscodeJob> FinishedAsync(IJobStore store, NewJob job, bool completed = true)
    {
        var created = await store.CreateAsync(job, queue: true, CancellationToken.None);
        var claim = await store.ClaimAsync("worker_test", "host", CancellationToken.None);
        Assert.Equal(created.JobId, claim.Job?.JobId);
        return await store.UpdateAsync(
            claim.Lease!,
            (j, now) =>
            {
                if (completed)
                {
                    j.Complete(now);
                }
                else
                {
                    j.Fail(Error(retryable: false), now, 0);
                }
            },
            CancellationToken.None);
    }

    public static JobError Error(bool retryable, string code = "encode_failed") => new()
    {
        Task = "transcode",
        Code = code,
        Error = "ffmpeg failed",
        Timestamp = DateTimeOffset.UnixEpoch,
        Retryable = retryable,
    };
}
