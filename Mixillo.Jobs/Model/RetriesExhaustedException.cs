using Mixillo.Errors;

namespace Mixillo.Jobs.Model;

/// <summary>An operator's retry of a job that has used all its retries (the API answers 409).</summary>
public sealed class RetriesExhaustedException(string jobId, int maxRetries)
    : InvalidOperationException($"Job {jobId} has used all {maxRetries} retries."), ICodedException
{
    public ErrorCode Error => ErrorCatalog.RetriesExhausted;

    public string JobId { get; } = jobId;
}
