using System.Net;
using Amazon.S3;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Media;

namespace Mixillo.Tests.Unit;

public class JobFailuresTests
{
    public static TheoryData<Exception, string, bool> Failures() => new()
    {
        { new MediaException(ErrorCatalog.InputMalformed, "bad"), "input_malformed", false },
        { new MediaException(ErrorCatalog.EncoderStalled, "stalled"), "encoder_stalled", true },
        { new MediaException(ErrorCatalog.SourceMissing, "gone"), "source_missing", false },
        { new InvalidStorageKeyException("../x", "no"), "invalid_storage_key", false },
        { new HttpRequestException("connection refused"), "storage_unavailable", true },
        { new AmazonS3Exception("slow down") { StatusCode = HttpStatusCode.ServiceUnavailable }, "storage_unavailable", true },
        { new InvalidOperationException("bug"), "worker_error", true },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_are_classified_input_errors_fail_at_once(Exception failure, string code, bool retryable)
    {
        var error = JobFailures.Classify(failure, JobTaskType.Dash, DateTimeOffset.UnixEpoch);
        Assert.Equal((code, retryable, "dash"), (error.Code, error.Retryable, error.Task));
    }
}
