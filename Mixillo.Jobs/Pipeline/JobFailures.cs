using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;

namespace Mixillo.Jobs.Pipeline;

/// <summary>
/// What a failed job records: the catalogue's code and its retry rule (invalid input fails at once; anything else may
/// pass on another attempt).
/// </summary>
public static class JobFailures
{
    public static JobError Classify(Exception exception, JobTaskType? task, DateTimeOffset now)
    {
        var error = exception switch
        {
            ICodedException { Error.Retryable: not null } coded => coded.Error,
            _ when StorageErrors.IsTransient(exception) => ErrorCatalog.StorageUnavailable,
            _ => ErrorCatalog.WorkerError,
        };
        return Of(error, task is { } t ? JobJson.Name(t) : "job", exception.Message, now);
    }

    /// <summary>An entry of the job's error log for a catalogue code (of one that a job records: it has a retry rule).</summary>
    public static JobError Of(ErrorCode error, string task, string message, DateTimeOffset now) => new()
    {
        Task = task,
        Code = error.Code,
        Error = message,
        Timestamp = now,
        Retryable = error.Retryable ?? throw new ArgumentException($"'{error.Code}' is not a code a job records.", nameof(error)),
    };
}
