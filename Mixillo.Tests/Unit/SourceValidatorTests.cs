using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class SourceValidatorTests
{
    private static readonly MediaOptions Options = new() { MaxDurationSeconds = 60, MinDurationSeconds = 1, MaxFileSizeBytes = 1000, MinShortSide = 16, MaxLongSide = 4096 };

    private static SourceMetadata Source(double duration = 10, long size = 500, int width = 1280, int height = 720, string demuxer = "mov") => new()
    {
        DurationSeconds = duration,
        SizeBytes = size,
        BitrateBps = 1,
        FormatName = demuxer,
        Demuxer = demuxer,
        Video = new VideoStreamInfo { Index = 0, Codec = "h264", CodedWidth = width, CodedHeight = height, Rotation = 0, FramesPerSecond = 30, PixelFormat = "yuv420p" },
    };

    public static TheoryData<SourceMetadata, string> Rejections => new()
    {
        { Source(duration: 0.5), ErrorCatalog.InputTooShort.Code },
        { Source(duration: 61), ErrorCatalog.InputTooLong.Code },
        { Source(duration: 0), ErrorCatalog.InputMalformed.Code },
        { Source(size: 1001), ErrorCatalog.InputTooLarge.Code },
        { Source(width: 8, height: 720), ErrorCatalog.InputDimensionsUnsupported.Code },
        { Source(width: 5000, height: 720), ErrorCatalog.InputDimensionsUnsupported.Code },
        { Source(width: 0, height: 0), ErrorCatalog.InputMalformed.Code },
        { Source(demuxer: "hls"), ErrorCatalog.InputUnsupportedFormat.Code },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Out_of_limit_sources_are_refused_with_their_code(SourceMetadata source, string code)
    {
        var error = Assert.Throws<MediaException>(() => SourceValidator.Validate(source, Options));
        Assert.Equal(code, error.Code);
        Assert.True(error.IsInputError);
    }

    [Fact]
    public void A_source_within_limits_passes() => SourceValidator.Validate(Source(), Options);

    [Theory]
    [InlineData("#EXTM3U\n#EXTINF:10,\nhttp://example.invalid/a.ts\n", true)]
    [InlineData("ffconcat version 1.0\r\nfile 'a.mp4'\n", true)]
    [InlineData("\0\0\0 ftypisom", false)]
    [InlineData("", false)]
    public void Text_is_told_from_binary(string head, bool text) =>
        Assert.Equal(text, TextSniffer.LooksLikeText(System.Text.Encoding.UTF8.GetBytes(head)));
}
