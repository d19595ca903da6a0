namespace Mixillo.Api.Uploads;

/// <summary>The <c>Upload</c> section.</summary>
public sealed class UploadOptions
{
    public const string Section = "Upload";

    public long MaxFileSizeBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Every chunk but the last is exactly this size.</summary>
    public int ChunkSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>An upload not completed within this time is abandoned and removed.</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A <c>complete</c> still running after this long is taken to have died with its instance, and the next call
    /// takes its upload over. Keep it well above the longest completion: assembling, probing and storing the
    /// largest upload allowed.
    /// </summary>
    public TimeSpan CompletingStaleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Where chunks are assembled and probed.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "mixillo-uploads");

    /// <summary>File endings accepted for upload (the content is still probed: a name proves nothing).</summary>
    public string Extensions { get; set; } = ".mp4,.mov,.m4v,.mkv,.webm,.avi,.ts,.mts,.flv,.mpg,.mpeg,.3gp";

    /// <summary>Uploads one user may have open (neither completed nor expired) at once.</summary>
    public int MaxOpenUploadsPerUser { get; set; } = 10;

    /// <summary>The sizes one user's open uploads may promise together.</summary>
    public long MaxOpenBytesPerUser { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Jobs one user may have waiting or running; a new upload or complete beyond it is refused.</summary>
    public int MaxActiveJobsPerUser { get; set; } = 20;

    /// <summary>Chunk uploads one user may have in flight at once (per API instance).</summary>
    public int MaxConcurrentChunksPerUser { get; set; } = 4;

    /// <summary>The longest a chunk upload may take; a slower one is cut off (408) and can be sent again.</summary>
    public TimeSpan ChunkTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Below this much free space in the upload scratch folder (or a storage folder), new uploads and chunks are refused (507).</summary>
    public long MinFreeBytes { get; set; } = 1L << 30;

    /// <summary>Chunks are streamed to disk, so the ceiling is about request length, not memory.</summary>
    public const int MaxChunkSize = 1024 * 1024 * 1024;

    public const int MinChunkSize = 1024;

    public IReadOnlyList<string> ExtensionList => Extensions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first key whose value cannot work.</summary>
    public void Validate()
    {
        if (MaxFileSizeBytes <= 0)
        {
            throw new ArgumentException($"{Section}:MaxFileSizeBytes must be positive.");
        }

        if (ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            throw new ArgumentException($"{Section}:ChunkSize must be between {MinChunkSize} and {MaxChunkSize} bytes, not {ChunkSize}.");
        }

        if (ExpireAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:ExpireAfter must be positive.");
        }

        foreach (var (key, value) in new[] { (nameof(MaxOpenUploadsPerUser), (long)MaxOpenUploadsPerUser), (nameof(MaxActiveJobsPerUser), MaxActiveJobsPerUser), (nameof(MaxConcurrentChunksPerUser), MaxConcurrentChunksPerUser) })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{Section}:{key} must be at least 1.");
            }
        }

        if (MaxOpenBytesPerUser < MaxFileSizeBytes)
        {
            throw new ArgumentException($"{Section}:MaxOpenBytesPerUser must be at least {Section}:MaxFileSizeBytes ({MaxFileSizeBytes}), or no upload of the largest size could start.");
        }

        if (ChunkTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:ChunkTimeout must be positive.");
        }

        if (MinFreeBytes < 0)
        {
            throw new ArgumentException($"{Section}:MinFreeBytes cannot be negative.");
        }

        if (CompletingStaleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:CompletingStaleAfter must be positive.");
        }

        if (string.IsNullOrWhiteSpace(ScratchRoot))
        {
            throw new ArgumentException($"{Section}:ScratchRoot is required.");
        }

        if (ExtensionList.Count == 0 || ExtensionList.Any(e => e.Length < 2 || e[0] != '.'))
        {
            throw new ArgumentException($"{Section}:Extensions is a comma-separated list of file endings such as '.mp4,.mov', not '{Extensions}'.");
        }
    }
}
