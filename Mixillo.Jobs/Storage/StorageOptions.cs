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

    /// <summary>Throws <see cref="ArgumentException"/> naming the first key whose value cannot work.</summary>
    public void Validate()
    {
        switch (Provider.Trim().ToLowerInvariant())
        {
            case FileSystem when string.IsNullOrWhiteSpace(Root):
                throw new ArgumentException($"{Section}:Root is required for the {FileSystem} provider.");
            case FileSystem:
                break;
            case S3Provider:
                S3.Validate();
                break;
            default:
                throw new ArgumentException($"{Section}:Provider must be '{FileSystem}' or '{S3Provider}', not '{Provider}'.");
        }
    }
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

    /// <summary>S3's smallest multipart part.</summary>
    private const long MinPartBytes = 5 * 1024 * 1024;

    public void Validate()
    {
        const string prefix = StorageOptions.Section + ":S3:";
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{prefix}ServiceUrl must be an http(s) URL, not '{ServiceUrl}'.");
        }

        // S3's bucket naming rules (lowercase, digits, dots and hyphens; 3-63; a letter or digit at each end).
        if (Bucket.Length is < 3 or > 63 || !Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
            || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
        {
            throw new ArgumentException($"{prefix}Bucket '{Bucket}' is not a valid bucket name (3-63 lowercase letters, digits, '.' and '-').");
        }

        if (string.IsNullOrEmpty(AccessKey) || string.IsNullOrEmpty(SecretKey))
        {
            throw new ArgumentException($"{prefix}AccessKey and {prefix}SecretKey are required.");
        }

        if (MultipartThresholdBytes < MinPartBytes)
        {
            throw new ArgumentException($"{prefix}MultipartThresholdBytes must be at least {MinPartBytes} (S3's smallest part).");
        }
    }
}
