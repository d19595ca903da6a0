using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Media.Probing;
using Mixillo.Media.Running;
using Mixillo.Media;

namespace Mixillo.Tests.Unit;

public class FfmpegFailureTests
{
    private static readonly FfmpegStep Encode = new(FfmpegStep.Encode, 3, 4, ErrorCatalog.EncodeFailed) { Source = new SourceBounds(4, 6, 360, 1 << 20) };

    // ffmpeg 5.1's stderr (-loglevel error) encoding a 4 s faststart MP4 cut after 40,000 bytes.
    private const string CutMp4 = """
        [h264 @ 0x55bfafc14ac0] Invalid NAL unit size (46930 > 34326).
        [h264 @ 0x55bfafc14ac0] Error splitting the input into NAL units.
        [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55bfafc13640] stream 1, offset 0xcd7c: partial file
        Error while decoding stream #0:0: Invalid data found when processing input
        [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55c0589e9a40] stream 0, offset 0xcf10: partial file
        Cannot determine format of input stream 0:0 after EOF
        Error marking filters as finished
        """;

    public static TheoryData<string, string> Stderr => new()
    {
        { CutMp4, ErrorCatalog.InputTruncated.Code },
        { "[matroska,webm @ 0x5575ac2e5a40] File ended prematurely\nCannot determine format of input stream 0:0 after EOF", ErrorCatalog.InputTruncated.Code },
        { "[h264 @ 0x55] Invalid NAL unit size (1862 > 1024).\n[h264 @ 0x55] Error splitting the input into NAL units.", ErrorCatalog.InputMalformed.Code },
        { "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\nfile:/s/source.mp4: Invalid data found when processing input", ErrorCatalog.InputMalformed.Code },
        { "[vist#0:0/h264 @ 0x55] Decoding error: Invalid data found when processing input", ErrorCatalog.InputMalformed.Code },
        { "[out#0/mp4 @ 0x55] Error writing trailer: No space left on device", ErrorCatalog.EncodeFailed.Code },
        { "", ErrorCatalog.EncodeFailed.Code },
    };

    [Theory]
    [MemberData(nameof(Stderr))]
    public void Decode_failures_of_the_source_are_input_errors_and_anything_else_the_steps_code(string stderr, string code)
    {
        var error = FfmpegFailure.Classify(Encode, 1, stderr);
        Assert.Equal(code, error.Code);
        Assert.Equal(stderr, error.Diagnostics);
    }

    [Fact]
    public void A_source_ffmpeg_cannot_decode_is_not_retried_by_the_worker()
    {
        var error = JobFailures.Classify(FfmpegFailure.Classify(Encode, 1, CutMp4), JobTaskType.Transcode, DateTimeOffset.UnixEpoch);
        Assert.Equal(("input_truncated", false), (error.Code, error.Retryable));
        Assert.True(JobFailures.Classify(FfmpegFailure.Classify(Encode, 1, "killed"), JobTaskType.Transcode, DateTimeOffset.UnixEpoch).Retryable);
    }

    [Fact]
    public void Steps_that_read_our_own_renditions_keep_their_code_whatever_ffmpeg_says()
    {
        var package = FfmpegStep.PackageDash(rungs: 3, mediaSeconds: 4);
        Assert.Equal(ErrorCatalog.PackageFailed.Code, FfmpegFailure.Classify(package, 1, CutMp4).Code);
    }
}
