using Mixillo.Jobs.Storage;

namespace Mixillo.Worker.Hosting;

/// <summary>Where a job's files live in storage.</summary>
public static class OutputKeys
{
    /// <summary>What players and the API see once the job is published.</summary>
    public static string Published(string contentId) => StorageKeys.Join("videos", contentId) + "/";

    /// <summary>All attempts of a job (removed after publish, cancel or final failure).</summary>
    public static string Staging(string jobId) => StorageKeys.Join("staging", jobId) + "/";

    /// <summary>One attempt's private prefix: a stale attempt that lost its lease can never write over a newer one.</summary>
    public static string Attempt(string jobId, long leaseToken) => StorageKeys.Join("staging", jobId, $"attempt-{leaseToken}") + "/";
}
