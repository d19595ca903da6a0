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
}
