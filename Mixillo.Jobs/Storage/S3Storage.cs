using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Mixillo.Errors;

namespace Mixillo.Jobs.Storage;

/// <summary>
/// Objects in one bucket of any S3 endpoint (MinIO, Ceph radosgw, AWS): path-style addressing, checksums only
/// when required (streamed uploads fail against Ceph and MinIO-likes otherwise), multipart above a threshold,
/// files streamed from and to disk.
/// </summary>
public sealed class S3Storage : IObjectStorage, IDisposable
{
    private const int DeleteBatch = 1000;

    private readonly AmazonS3Client _client;
    private readonly S3Options _options;

    public S3Storage(S3Options options)
    {
        if (string.IsNullOrWhiteSpace(options.ServiceUrl) || string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new ArgumentException("Storage:S3:ServiceUrl and Storage:S3:Bucket are required for the s3 provider.");
        }

        _options = options;
        _client = new AmazonS3Client(
            new BasicAWSCredentials(options.AccessKey, options.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = options.ServiceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = options.Region,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Made by an earlier start or another instance.
        }

        await CheckAsync(cancellationToken);
    }

    /// <summary>The credentials can read the bucket, not only the endpoint answers.</summary>
    public Task CheckAsync(CancellationToken cancellationToken) =>
        _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, MaxKeys = 1 }, cancellationToken);

    public async Task PutFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        StorageKeys.Validate(key);
        var size = new FileInfo(path).Length;
        if (size > _options.MultipartThresholdBytes)
        {
            using var transfer = new TransferUtility(_client);
            await transfer.UploadAsync(
                new TransferUtilityUploadRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    FilePath = path,
                    ContentType = ContentTypes.For(key),
                    PartSize = Math.Max(_options.MultipartThresholdBytes, 5 * 1024 * 1024),
                },
                cancellationToken);
            return;
        }

        await _client.PutObjectAsync(
            new PutObjectRequest { BucketName = _options.Bucket, Key = key, FilePath = path, ContentType = ContentTypes.For(key) },
            cancellationToken);
    }

    public async Task GetFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        await using var source = await OpenReadAsync(key, cancellationToken);
        await Download.ToFileAsync(source, path, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        StorageKeys.Validate(key);
        try
        {
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = key }, cancellationToken);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task<StoredObject?> StatAsync(string key, CancellationToken cancellationToken)
    {
        StorageKeys.Validate(key);
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = key }, cancellationToken);
            return new StoredObject(key, metadata.ContentLength, Utc(metadata.LastModified), Unquoted(metadata.ETag));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StorageKeys.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix };
        while (true)
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new StoredObject(item.Key, item.Size ?? 0, Utc(item.LastModified), Unquoted(item.ETag));
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    // A single CopyObject handles objects up to 5 GiB; sources are limited to 2 GiB, outputs are smaller.
    public async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken)
    {
        StorageKeys.Validate(sourceKey);
        StorageKeys.Validate(targetKey);
        try
        {
            await _client.CopyObjectAsync(
                new CopyObjectRequest { SourceBucket = _options.Bucket, SourceKey = sourceKey, DestinationBucket = _options.Bucket, DestinationKey = targetKey },
                cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(sourceKey);
        }
    }

    public async Task<string?> PresignReadAsync(string key, TimeSpan lifetime) =>
        await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = StorageKeys.Validate(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + lifetime,
            Protocol = _options.ServiceUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTPS : Protocol.HTTP,
        });

    public Task AllowBrowserReadsAsync(IReadOnlyList<string> origins, CancellationToken cancellationToken) =>
        _client.PutCORSConfigurationAsync(
            new PutCORSConfigurationRequest
            {
                BucketName = _options.Bucket,
                Configuration = new CORSConfiguration
                {
                    Rules =
                    [
                        new CORSRule
                        {
                            AllowedOrigins = [.. origins],
                            AllowedMethods = ["GET", "HEAD"],
                            AllowedHeaders = ["*"],
                            ExposeHeaders = ["Content-Length", "Content-Range", "Accept-Ranges", "ETag"],
                            MaxAgeSeconds = 3600,
                        },
                    ],
                },
            },
            cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = StorageKeys.Validate(key) }, cancellationToken);

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var found in ListAsync(prefix, cancellationToken))
        {
            keys.Add(found.Key);
        }

        foreach (var batch in keys.Chunk(DeleteBatch))
        {
            await _client.DeleteObjectsAsync(
                new DeleteObjectsRequest { BucketName = _options.Bucket, Objects = [.. batch.Select(k => new KeyVersion { Key = k })] },
                cancellationToken);
        }

        return keys.Count;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>S3 sends the tag as HTTP does, in quotes (some servers without): the same tag either way.</summary>
    private static string Unquoted(string? etag) => (etag ?? "").Trim('"');

    private static DateTimeOffset Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;

    /// <summary>The object's body; disposing it releases the HTTP response too.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => _body.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
