using Mixillo.Jobs.Storage;

namespace Mixillo.Jobs.Pipeline;

/// <summary>Where a job's files live in storage.</summary>
public static class OutputKeys
{
    /// <summary>Where every content's published files live.</summary>
    public const string PublishedRoot = "videos/";

    /// <summary>What players and the API see once the job is published.</summary>
    public static string Published(string contentId) => StorageKeys.Join("videos", contentId) + "/";

    /// <summary>The content a published key belongs to, or null for a key that is not inside a content's folder.</summary>
    public static string? PublishedContent(string key) => Owner(PublishedRoot, key);

    /// <summary>A content's source as an upload stores it (<c>sources/{contentId}/source.mp4</c>).</summary>
    public static string Sources(string contentId) => StorageKeys.Join("sources", contentId) + "/";

    /// <summary>Where every job's attempts live.</summary>
    public const string StagingRoot = "staging/";

    /// <summary>All attempts of a job (removed after publish or cancel; kept after a failure, for an operator's retry).</summary>
    public static string Staging(string jobId) => StorageKeys.Join("staging", jobId) + "/";

    /// <summary>The job a staging key belongs to, or null for a key that is not a job's.</summary>
    public static string? StagedJob(string key) => Owner(StagingRoot, key);

    /// <summary>One attempt's private prefix: a stale attempt that lost its lease can never write over a newer one.</summary>
    public static string Attempt(string jobId, long leaseToken) => StorageKeys.Join("staging", jobId, $"attempt-{leaseToken}") + "/";

    /// <summary>The id that names the folder right under <paramref name="root"/> holding <paramref name="key"/>.</summary>
    private static string? Owner(string root, string key) =>
        key.StartsWith(root, StringComparison.Ordinal) && key.IndexOf('/', root.Length) is > 0 and var slash
            && key[root.Length..slash] is var id && Jobs.Model.JobIds.IsValid(id)
            ? id
            : null;
}
