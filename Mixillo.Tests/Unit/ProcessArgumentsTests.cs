using Mixillo.Media.Planning;
using Mixillo.Worker;

namespace Mixillo.Tests.Unit;

public class ProcessArgumentsTests
{
    [Fact]
    public void Defaults_are_the_job_defaults()
    {
        var parsed = ProcessArguments.Parse(["clip.mp4", "--out", "out"]);
        Assert.Equal("clip.mp4", parsed.Input);
        Assert.Equal("out", parsed.Output);
        Assert.Equal(Rung.DefaultLadder, parsed.Options.Ladder);
        Assert.True(parsed.Options.Hls && parsed.Options.Preview && parsed.Options.Audio);
        Assert.False(parsed.Options.Dash);
        Assert.Equal(5, parsed.Options.ThumbnailCount);
        Assert.Equal("medium", parsed.Options.Preset);
    }

    [Fact]
    public void An_input_in_the_output_folder_under_a_name_no_run_writes_is_accepted() =>
        Assert.Equal("o/clip.mp4", ProcessArguments.Parse(["o/clip.mp4", "--out", "o"]).Input);

    [Fact]
    public void Every_option_is_understood()
    {
        var parsed = ProcessArguments.Parse(["--out", "o", "--qualities", "480p,1080p", "--dash", "--no-hls", "--thumbnails", "3", "--no-preview", "--no-audio", "--preset", "veryfast", "in.mov"]);
        Assert.Equal([Rung.P1080, Rung.P480], parsed.Options.Ladder);
        Assert.True(parsed.Options.Dash);
        Assert.False(parsed.Options.Hls || parsed.Options.Preview || parsed.Options.Audio);
        Assert.Equal(3, parsed.Options.ThumbnailCount);
        Assert.Equal("veryfast", parsed.Options.Preset);
        Assert.True(ProcessArguments.Parse(["--demo", "--out", "o"]).Demo);
    }

    [Theory]
    [InlineData("clip.mp4")]
    [InlineData("clip.mp4", "--out")]
    [InlineData("clip.mp4", "--out", "o", "--bogus")]
    [InlineData("clip.mp4", "other.mp4", "--out", "o")]
    [InlineData("clip.mp4", "--demo", "--out", "o")]
    [InlineData("--out", "o")]
    [InlineData("clip.mp4", "--out", "o", "--thumbnails", "-1")]
    [InlineData("clip.mp4", "--out", "o", "--qualities", "8k")]
    [InlineData("clip.mp4", "--out", "o", "--preset", "turbo")]
    [InlineData("o/source.mp4", "--out", "o")]
    [InlineData("./o/720p.mp4", "--out", "o/")]
    [InlineData("o/hls/clip.mp4", "--out", "o")]
    public void Bad_arguments_are_refused(params string[] args) =>
        Assert.Throws<ArgumentException>(() => ProcessArguments.Parse(args));
}
