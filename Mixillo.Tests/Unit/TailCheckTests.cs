using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class TailCheckTests
{
    private static SourceMetadata Source(double duration = 4, double start = 0, double fps = 30) => new()
    {
        DurationSeconds = duration,
        StartSeconds = start,
        SizeBytes = 1,
        BitrateBps = 1,
        FormatName = "mov,mp4,m4a,3gp,3g2,mj2",
        Demuxer = "mov",
        Video = new VideoStreamInfo { Index = 0, Codec = "h264", CodedWidth = 720, CodedHeight = 1280, Rotation = 0, FramesPerSecond = fps, PixelFormat = "yuv420p" },
    };

    private static void Validate(SourceMetadata source, TailPackets tail) =>
        TailCheck.Validate(source, SourceBounds.For(source, new MediaOptions()), tail, "");

    // ffprobe -show_entries packet=pts_time,dts_time,duration_time -of compact=p=0, as it prints them.
    private static TailPackets Tail(params string[] lines)
    {
        var tail = new TailPackets();
        foreach (var line in lines)
        {
            tail.Feed(line);
        }

        return tail;
    }

    private static string Packet(double pts, double? duration = 0.033333) =>
        FormattableString.Invariant($"pts_time={pts:0.000000}|dts_time={pts:0.000000}|duration_time={(duration is { } d ? d.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture) : "N/A")}");

    [Fact]
    public void The_tail_read_starts_a_second_before_the_declared_end_and_never_before_zero()
    {
        Assert.Equal(3, TailCheck.TailStart(Source(duration: 4)));
        Assert.Equal(4.4, TailCheck.TailStart(Source(duration: 4, start: 1.4)), precision: 6);
        Assert.Equal(0, TailCheck.TailStart(Source(duration: 0.6)));
    }

    [Fact]
    public void The_tail_read_ends_where_the_encode_would_stop_on_the_files_own_timeline()
    {
        var source = Source(duration: 4, start: 1.4);
        Assert.Equal(1.4 + 4 + 2 + 1, TailCheck.TailEnd(source, SourceBounds.For(source, new MediaOptions())), precision: 6);
    }

    [Fact]
    public void Packets_that_reach_the_declared_end_pass() =>
        Validate(Source(), Tail(Packet(3.9), Packet(3.966667)));

    [Fact]
    public void A_timeline_that_starts_late_is_measured_from_its_start() =>
        Validate(Source(duration: 4.023, start: 1.4), Tail(Packet(5.39)));

    [Fact]
    public void A_last_frame_of_unstated_length_passes_even_at_one_frame_a_second() =>
        Validate(Source(fps: 1), Tail(Packet(3, duration: null)));

    [Fact]
    public void Lines_without_a_time_and_mpegts_trailing_separators_are_read_as_ffprobe_means_them()
    {
        var tail = Tail("pts_time=N/A|dts_time=2.000000|duration_time=0.500000|", "pts_time=N/A|dts_time=N/A|duration_time=N/A", "");
        Assert.Equal(2.5, tail.End);
        Assert.Null(Tail("pts_time=N/A|dts_time=N/A|duration_time=0.033333").End);
    }

    public static TheoryData<string[]> CutShort => new()
    {
        // The 40,000-byte cut of a 4 s clip: one partial frame read.
        new[] { Packet(0) },
        // Cut halfway: the read stops where the data does.
        new[] { Packet(2.0), Packet(2.033333) },
        // The keyframe the seek found lies past the end of the file.
        Array.Empty<string>(),
    };

    [Theory]
    [MemberData(nameof(CutShort))]
    public void Media_that_ends_well_before_the_declared_end_is_input_truncated(string[] packets)
    {
        var error = Assert.Throws<MediaException>(() => Validate(Source(), Tail(packets)));
        Assert.Equal(ErrorCatalog.InputTruncated.Code, error.Code);
        Assert.True(error.IsInputError);
        Assert.Contains("declares 4 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Media_that_goes_on_past_the_margin_is_input_too_long()
    {
        // The 10-hour file whose header says 5 s: the read goes on until ffprobe stops it at 8 s.
        var source = Source(duration: 5, fps: 1);
        var bounds = SourceBounds.For(source, new MediaOptions());
        var tail = Tail(Packet(4, duration: 1), Packet(5, duration: 1), Packet(6, duration: 1));
        Assert.False(TailCheck.Overran(source, bounds, tail));
        tail.Feed(Packet(7, duration: 1));
        Assert.True(TailCheck.Overran(source, bounds, tail));

        var error = Assert.Throws<MediaException>(() => TailCheck.Validate(source, bounds, tail, ""));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error.Code);
        Assert.Equal("The video holds more than the 5 s it declares: its packets go on past 7 s.", error.Message);
    }

    [Fact]
    public void Media_within_the_margin_past_the_declared_end_passes() =>
        Validate(Source(duration: 4), Tail(Packet(5.9, duration: 0.1)));
}
