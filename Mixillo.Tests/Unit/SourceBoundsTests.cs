using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class SourceBoundsTests
{
    private static SourceBounds Bounds(double duration, double fps = 30, double maxSeconds = 600, int maxLongSide = 7680) => SourceBounds.For(
        new SourceMetadata
        {
            DurationSeconds = duration,
            SizeBytes = 1,
            BitrateBps = 1,
            FormatName = "matroska,webm",
            Demuxer = "matroska",
            Video = new VideoStreamInfo { Index = 0, Codec = "h264", CodedWidth = 360, CodedHeight = 640, Rotation = 0, FramesPerSecond = fps, PixelFormat = "yuv420p" },
        },
        new MediaOptions { MaxDurationSeconds = maxSeconds, MaxLongSide = maxLongSide });

    [Theory]
    [InlineData(5, 7)]
    [InlineData(40, 42)]
    [InlineData(100, 105)]
    [InlineData(400, 420)]
    public void A_source_may_run_2_s_or_5_percent_past_what_it_declares_whichever_is_more(double declared, double seconds) =>
        Assert.Equal(seconds, Bounds(declared).Seconds, precision: 9);

    [Theory]
    [InlineData(600)]
    [InlineData(590)]
    [InlineData(580)]
    public void Never_more_than_2_s_past_the_maximum(double declared) =>
        Assert.Equal(602, Bounds(declared).Seconds, precision: 9);

    [Fact]
    public void The_read_stops_a_second_past_the_bound() =>
        Assert.Equal(8, Bounds(5).StopSeconds, precision: 9);

    [Theory]
    [InlineData(30, 420)]
    [InlineData(0, 420)]
    [InlineData(120, 840)]
    public void Frames_are_bounded_at_the_declared_rate_or_60_fps_whichever_is_more(double fps, long frames) =>
        Assert.Equal(frames, Bounds(5, fps).Frames);

    [Theory]
    [InlineData(7680, 7680L * 7680)]
    [InlineData(700, 704L * 700)]
    public void A_picture_may_be_as_large_as_a_square_at_the_long_side_limit_as_a_decoder_pads_it(int maxLongSide, long pixels) =>
        Assert.Equal(pixels, Bounds(5, maxLongSide: maxLongSide).Pixels);
}
