using Mixillo.Jobs.Model;

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

    public static JobError Error(bool retryable, string code = "encode_failed") => new()
    {
        Task = "transcode",
        Code = code,
        Error = "ffmpeg failed",
        Timestamp = DateTimeOffset.UnixEpoch,
        Retryable = retryable,
    };
}
