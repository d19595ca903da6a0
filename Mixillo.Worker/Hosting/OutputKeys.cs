using Mixillo.Jobs.Storage;

namespace Mixillo.Worker.Hosting;

/// <summary>Where a job's files live in storage.</summary>
public static class OutputKeys
{
    /// <summary>What players and the API see once the job is published.</summary>
    public static string Published(string contentId) => StorageKeys.Join("videos", contentId) + "/";

    /// <summary>Where every job's attempts live.</summary>
    public const string StagingRoot = "staging/";

    /// <summary>All attempts of a job (removed after publish or cancel; kept after a failure, for an operator's retry).</summary>
    public static string Staging(string jobId) => StorageKeys.Join("staging", jobId) + "/";

    /// <summary>The job a staging key belongs to, or null for a key that is not a job's.</summary>
    public static string? StagedJob(string key) =>
        key.StartsWith(StagingRoot, StringComparison.Ordinal) && key.IndexOf('/', StagingRoot.Length) is > 0 and var slash
            && key[StagingRoot.Length..slash] is var jobId && Jobs.Model.JobIds.IsValid(jobId)
            ? jobId
            : null;

    /// <summary>One attempt's private prefix: a stale attempt that lost its lease can never write over a newer one.</summary>
    public static string Attempt(string jobId, long leaseToken) => StorageKeys.Join("staging", jobId, $"attempt-{leaseToken}") + "/";
}
