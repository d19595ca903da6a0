using Mixillo.Media.Planning;

namespace Mixillo.Tests.Unit;

public class LadderPlannerTests
{
    private static IEnumerable<string> Sizes(IEnumerable<Rendition> renditions) => renditions.Select(r => $"{r.Name}:{r.Width}x{r.Height}");

    [Fact]
    public void Portrait_source_gets_portrait_renditions_named_by_short_side()
    {
        var plan = LadderPlanner.Plan(1080, 1920, 30, Rung.DefaultLadder);
        Assert.Equal(["720p:720x1280", "480p:480x854", "360p:360x640"], Sizes(plan));
    }

    [Fact]
    public void Landscape_source_gets_landscape_renditions()
    {
        var plan = LadderPlanner.Plan(1920, 1080, 30, Rung.DefaultLadder);
        Assert.Equal(["720p:1280x720", "480p:854x480", "360p:640x360"], Sizes(plan));
    }

    [Fact]
    public void Rungs_above_the_source_are_skipped_never_upscaled()
    {
        var plan = LadderPlanner.Plan(540, 960, 30, [Rung.P1080, Rung.P720, Rung.P480, Rung.P360]);
        Assert.Equal(["480p:480x854", "360p:360x640"], Sizes(plan));
    }

    [Fact]
    public void A_source_smaller_than_every_rung_gets_one_rendition_at_its_own_even_size()
    {
        var plan = LadderPlanner.Plan(321, 179, 25, Rung.DefaultLadder);
        var only = Assert.Single(plan);
        Assert.Equal("source", only.Name);
        Assert.Equal((320, 178), (only.Width, only.Height));
        Assert.Equal(24, only.FramesPerSecond);
    }

    [Theory]
    [InlineData(240, 426)]
    [InlineData(426, 240)]
    [InlineData(241, 429)]
    public void A_source_below_the_ladder_at_the_240p_size_is_named_240p_with_its_caps(int width, int height)
    {
        var only = Assert.Single(LadderPlanner.Plan(width, height, 30, Rung.DefaultLadder));
        Assert.Equal(Rung.P240, only.Rung);
        Assert.Equal("240p.mp4", only.FileName);
        Assert.Equal(24, only.FramesPerSecond);
    }

    [Fact]
    public void A_source_below_the_ladder_at_a_standard_size_is_named_after_that_rung()
    {
        var only = Assert.Single(LadderPlanner.Plan(854, 480, 60, [Rung.P720]));
        Assert.Equal(["480p:854x480"], Sizes([only]));
        Assert.Equal(Rung.P480, only.Rung);
    }

    /// <summary>
    /// Off the standard sizes: named <c>source</c>, capped as the nearest rung above scaled by area, with that
    /// rung's audio bitrate and frame rate cap.
    /// </summary>
    [Theory]
    [InlineData(200, 356, 208, 64, 24)]
    [InlineData(356, 200, 208, 64, 24)]
    [InlineData(300, 534, 417, 96, 30)]
    [InlineData(400, 711, 694, 96, 30)]
    public void A_source_below_the_ladder_off_the_standard_sizes_is_named_source_with_a_bitrate_scaled_by_area(
        int width, int height, int videoKbps, int audioKbps, int fps)
    {
        var only = Assert.Single(LadderPlanner.Plan(width, height, 60, [Rung.P720]));
        Assert.Equal(("source", videoKbps, audioKbps), (only.Name, only.Rung.VideoKbps, only.Rung.AudioKbps));
        Assert.Equal("source.mp4", only.FileName);
        Assert.Equal(fps, only.FramesPerSecond);
    }

    [Fact]
    public void The_tiniest_source_keeps_a_bitrate_floor()
    {
        var only = Assert.Single(LadderPlanner.Plan(16, 28, 30, Rung.DefaultLadder));
        Assert.Equal(("source", 16, 28), (only.Name, only.Width, only.Height));
        Assert.Equal(64, only.Rung.VideoKbps);
    }

    [Theory]
    [InlineData(641, 361, 640, 360)]
    [InlineData(1001, 1003, 720, 722)]
    [InlineData(1080, 1080, 720, 720)]
    public void Dimensions_are_even_and_keep_the_aspect(int width, int height, int expectedWidth, int expectedHeight)
    {
        var first = LadderPlanner.Plan(width, height, 30, Rung.DefaultLadder)[0];
        Assert.Equal((expectedWidth, expectedHeight), (first.Width, first.Height));
        Assert.All(LadderPlanner.Plan(width, height, 30, Rung.All), r => Assert.True(r.Width % 2 == 0 && r.Height % 2 == 0, $"{r.Width}x{r.Height}"));
    }

    [Fact]
    public void Frame_rate_is_capped_per_rung()
    {
        var plan = LadderPlanner.Plan(1920, 1080, 60, [Rung.P720, Rung.P240]);
        Assert.Equal([30, 24], plan.Select(r => r.FramesPerSecond));
        Assert.Equal([60, 48], plan.Select(r => r.KeyframeInterval));
    }

    [Fact]
    public void Lower_frame_rates_are_kept()
    {
        var plan = LadderPlanner.Plan(1280, 720, 23.976, [Rung.P720]);
        Assert.Equal(23.976, plan[0].FramesPerSecond);
        Assert.Equal(48, plan[0].KeyframeInterval);
    }

    [Fact]
    public void Ladder_text_is_parsed_strictly_and_ordered_highest_first()
    {
        Assert.Equal([Rung.P720, Rung.P360], Rung.ParseLadder("360p, 720P,360p"));
        Assert.Throws<ArgumentException>(() => Rung.ParseLadder("720p,4k"));
        Assert.Throws<ArgumentException>(() => Rung.ParseLadder(" , "));
        Assert.Throws<ArgumentException>(() => Rung.ParseLadder("source"));
    }
}
