using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class TruncationCheckTests
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

    // ffprobe -show_entries packet=pts_time,dts_time,duration_time, as it prints them.
    private static ProbeOutput Tail(params string[] packets) => new(0, $$"""{ "packets": [ {{string.Join(", ", packets)}} ] }""", "");

    private static string Packet(double pts, double? duration = 0.033333) => duration is { } d
        ? FormattableString.Invariant($$"""{ "pts_time": "{{pts:0.000000}}", "dts_time": "{{pts:0.000000}}", "duration_time": "{{d:0.000000}}" }""")
        : FormattableString.Invariant($$"""{ "pts_time": "{{pts:0.000000}}", "dts_time": "{{pts:0.000000}}" }""");

    [Fact]
    public void The_tail_read_starts_a_second_before_the_declared_end_and_never_before_zero()
    {
        Assert.Equal(3, TruncationCheck.TailStart(Source(duration: 4)));
        Assert.Equal(4.4, TruncationCheck.TailStart(Source(duration: 4, start: 1.4)), precision: 6);
        Assert.Equal(0, TruncationCheck.TailStart(Source(duration: 0.6)));
    }

    [Fact]
    public void Packets_that_reach_the_declared_end_pass() =>
        TruncationCheck.Validate(Source(), Tail(Packet(3.9), Packet(3.966667)));

    [Fact]
    public void A_timeline_that_starts_late_is_measured_from_its_start() =>
        TruncationCheck.Validate(Source(duration: 4.023, start: 1.4), Tail(Packet(5.39)));

    [Fact]
    public void A_last_frame_of_unstated_length_passes_even_at_one_frame_a_second() =>
        TruncationCheck.Validate(Source(fps: 1), Tail(Packet(3, duration: null)));

    public static TheoryData<ProbeOutput> CutShort => new()
    {
        // The 40,000-byte cut of a 4 s clip: one partial frame read.
        Tail(Packet(0)),
        // Cut halfway: the read stops where the data does.
        Tail(Packet(2.0), Packet(2.033333)),
        // The keyframe the seek found lies past the end of the file.
        Tail(),
        new ProbeOutput(1, "{\n", "Could not read packets in interval id:0 start:3 end:N/A"),
    };

    [Theory]
    [MemberData(nameof(CutShort))]
    public void Media_that_ends_well_before_the_declared_end_is_input_truncated(ProbeOutput tail)
    {
        var error = Assert.Throws<MediaException>(() => TruncationCheck.Validate(Source(), tail));
        Assert.Equal(MediaErrorCodes.InputTruncated, error.Code);
        Assert.True(error.IsInputError);
        Assert.Contains("declares 4 s", error.Message, StringComparison.Ordinal);
    }
}
