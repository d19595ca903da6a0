using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Media.Probing;
using Mixillo.Media.Running;
using Mixillo.Media;

namespace Mixillo.Tests.Unit;

public class SourceOverrunTests
{
    // A source declaring 5 s at 30 fps: 7 s and 420 frames at the most.
    private static readonly SourceBounds Bounds = new(5, 7, 420, 7680L * 7680);

    private static ProgressParser Progress(long frames, double seconds)
    {
        var parser = new ProgressParser(expectedSeconds: 5);
        foreach (var line in new[] { $"frame={frames}", FormattableString.Invariant($"out_time_us={(long)(seconds * 1_000_000)}"), "progress=continue" })
        {
            parser.Feed(line);
        }

        return parser;
    }

    [Fact]
    public void Progress_within_the_bounds_is_no_overrun() =>
        Assert.Null(SourceOverrun.Check(Bounds, Progress(frames: 420, seconds: 7)));

    [Fact]
    public void A_position_past_the_bound_is_input_too_long()
    {
        var error = SourceOverrun.Check(Bounds, Progress(frames: 200, seconds: 7.2));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error?.Code);
        Assert.Equal("The video holds more than the 5 s it declares: ffmpeg read on past 7 s.", error?.Message);
    }

    [Fact]
    public void More_frames_than_the_bound_is_input_too_long_even_while_the_position_stands_still()
    {
        var error = SourceOverrun.Check(Bounds, Progress(frames: 421, seconds: 4));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error?.Code);
        Assert.Contains("more than 420 frames", error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decoder_refusing_a_picture_over_max_pixels_is_input_dimensions_unsupported()
    {
        // ffmpeg 5.1's stderr, decoding a stream that grows from 360x640 to 720x1280 with -max_pixels 492800.
        const string line = "[h264 @ 0x55c0f04bc380] [IMGUTILS @ 0x7f045f24c450] Picture size 768x1280 exceeds specified max pixel count 492800, see the documentation if you wish to increase it";
        var error = SourceOverrun.Check(line);
        Assert.Equal(ErrorCatalog.InputDimensionsUnsupported.Code, error?.Code);
        Assert.Equal(line, error?.Diagnostics);
        Assert.Null(SourceOverrun.Check("[h264 @ 0x55] Invalid NAL unit size (1862 > 1024)."));
    }

    [Fact]
    public void An_overrun_is_not_retried_by_the_worker()
    {
        var error = SourceOverrun.Check(Bounds, Progress(frames: 200, seconds: 8))!;
        Assert.Equal(("input_too_long", false), Pair(error));
        Assert.Equal(("input_dimensions_unsupported", false), Pair(SourceOverrun.Check("Picture size 9x9 exceeds specified max pixel count 1")!));

        static (string, bool) Pair(MediaException error)
        {
            var entry = JobFailures.Classify(error, JobTaskType.Transcode, DateTimeOffset.UnixEpoch);
            return (entry.Code, entry.Retryable);
        }
    }
}
