namespace Mixillo.Jobs.Storage;

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string FileSystem = "filesystem";
    public const string S3Provider = "s3";

    /// <summary><c>filesystem</c> or <c>s3</c>.</summary>
    public string Provider { get; set; } = FileSystem;

    /// <summary>The folder of the filesystem provider.</summary>
    public string Root { get; set; } = "data/media";

    public S3Options S3 { get; set; } = new();
}

public sealed record S3Options
{
    public string ServiceUrl { get; set; } = "";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    public string Bucket { get; set; } = "mixillo";

    public string Region { get; set; } = "us-east-1";

    /// <summary>Files larger than this go up as a multipart upload, in parts of this size (S3's minimum part is 5 MiB).</summary>
    public long MultipartThresholdBytes { get; set; } = 16 * 1024 * 1024;
}
