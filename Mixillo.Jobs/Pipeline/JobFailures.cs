using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Media;

namespace Mixillo.Jobs.Pipeline;

/// <summary>What a failed stage records: invalid input fails at once; anything else may pass on another attempt.</summary>
public static class JobFailures
{
    /// <summary>The source is not in storage (removed, or the upload never landed): retrying cannot bring it back.</summary>
    public const string SourceMissing = "source_missing";

    /// <summary>Anything not known to be the input's fault or storage being away.</summary>
    public const string WorkerError = "worker_error";

    public static JobError Classify(Exception exception, JobTaskType? task, DateTimeOffset now)
    {
        var (code, retryable) = exception switch
        {
            MediaException media => (media.Code, !media.IsInputError && media.Code != SourceMissing),
            InvalidStorageKeyException => (InvalidStorageKeyException.Code, false),
            _ when StorageErrors.IsTransient(exception) => (StorageErrors.UnavailableCode, true),
            _ => (WorkerError, true),
        };
        return new JobError
        {
            Task = task is { } t ? JobJson.Name(t) : "job",
            Code = code,
            Error = exception.Message,
            Timestamp = now,
            Retryable = retryable,
        };
    }
}
