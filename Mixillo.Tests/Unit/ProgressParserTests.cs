using Mixillo.Media.Running;

namespace Mixillo.Tests.Unit;

public class ProgressParserTests
{
    private static readonly string[] Block1 = ["frame=30", "out_time_us=N/A", "total_size=48", "speed=N/A", "progress=continue"];
    private static readonly string[] Block2 = ["frame=60", "out_time_us=2000000", "total_size=10240", "speed=1.5x", "progress=continue"];

    [Fact]
    public void Percent_follows_out_time_against_the_expected_duration()
    {
        var parser = new ProgressParser(expectedSeconds: 8);
        Assert.Contains(true, Block1.Select(parser.Feed));
        Assert.Equal(0, parser.Percent);
        Assert.Contains(true, Block2.Select(parser.Feed));
        Assert.Equal(25, parser.Percent, precision: 6);
        Assert.Equal(1.5, parser.Speed);
    }

    [Fact]
    public void Only_end_reaches_one_hundred()
    {
        var parser = new ProgressParser(expectedSeconds: 2);
        _ = Block2.Select(parser.Feed).ToList();
        Assert.Equal(99.9, parser.Percent);
        Assert.True(parser.Feed("progress=end"));
        Assert.True(parser.Ended);
        Assert.Equal(100, parser.Percent);
    }

    [Fact]
    public void A_block_where_nothing_moved_does_not_count_as_progress()
    {
        var parser = new ProgressParser(expectedSeconds: 8);
        _ = Block2.Select(parser.Feed).ToList();
        Assert.DoesNotContain(true, Block2.Select(parser.Feed));
    }

    [Fact]
    public void Frames_count_as_progress_while_the_position_stands_still()
    {
        var parser = new ProgressParser(expectedSeconds: 8);
        _ = Block2.Select(parser.Feed).ToList();
        Assert.Contains(true, new[] { "frame=90", "out_time_us=2000000", "total_size=10240", "progress=continue" }.Select(parser.Feed));
        Assert.Equal(90, parser.Frames);
    }

    [Fact]
    public void Noise_is_ignored()
    {
        var parser = new ProgressParser(expectedSeconds: 8);
        Assert.False(parser.Feed("garbage"));
        Assert.False(parser.Feed("=x"));
        Assert.False(parser.Feed("out_time_us=-5"));
        Assert.Equal(0, parser.Seconds);
    }
}
