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

    /// <summary>Where chunks are assembled and probed.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "mixillo-uploads");

    /// <summary>File endings accepted for upload (the content is still probed: a name proves nothing).</summary>
    public string Extensions { get; set; } = ".mp4,.mov,.m4v,.mkv,.webm,.avi,.ts,.mts,.flv,.mpg,.mpeg,.3gp";

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
