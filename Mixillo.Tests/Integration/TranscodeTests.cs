using System.Xml.Linq;
using Mixillo.Media;
using Mixillo.Media.Planning;
using Mixillo.Media.Results;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>Real ffmpeg on generated clips that stand for real uploads; every output checked with ffprobe.</summary>
[Collection(MediaCollection.Name)]
public sealed class TranscodeTests(Clips clips) : IDisposable
{
    private static readonly TranscodeOptions Fast = new() { Preset = "ultrafast" };
    private readonly TempFolder _out = new();

    private static (string, int, int)[] Portrait => [("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)];

    public void Dispose() => _out.Dispose();

    private Task<TranscodeResult> Transcode(string clip, TranscodeOptions? options = null) =>
        new MediaEngine(new MediaOptions(), TimeProvider.System).TranscodeAsync(clips[clip], _out.Path, options ?? Fast, null, CancellationToken.None);

    [Fact]
    public async Task A_portrait_clip_yields_the_whole_output_set()
    {
        var result = await Transcode("portrait", Fast with { Dash = true });

        OutputAssert.Renditions(_out.Path, result, Portrait, audio: true);
        OutputAssert.Hls(_out.Path, ["720p", "480p", "360p"], audio: true);
        OutputAssert.Thumbnails(_out.Path, result, 5, 720, 1280);
        OutputAssert.Preview(_out.Path, 360);
        OutputAssert.Mp3(_out.Path, 4);
        OutputAssert.NoScratch(_out.Path);
        Assert.Equal(["720p", "480p", "360p", "audio"], result.Hls!.Variants.Select(v => v.Name));
        Assert.All(result.Hls.Variants, v => Assert.Equal(1, v.SegmentCount));

        // DASH shares the HLS segments: ffmpeg's DASH demuxer reads the MPD and finds every stream there.
        Assert.Equal("dash/manifest.mpd", result.Dash!.Manifest);
        Assert.Equal(["manifest.mpd"], Directory.GetFiles(Path.Combine(_out.Path, "dash")).Select(Path.GetFileName));
        var dash = Tool.Probe(Path.Combine(_out.Path, "dash", "manifest.mpd"));
        Assert.Equal(4, dash.GetProperty("streams").GetArrayLength());
        Assert.Equal(4, dash.Seconds(), precision: 0);
    }

    [Fact]
    public async Task A_landscape_clip_keeps_landscape_renditions_and_six_second_segments()
    {
        var result = await Transcode("landscape", Fast with { ThumbnailCount = 3, Preview = false, Audio = false });

        OutputAssert.Renditions(_out.Path, result, [("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)], audio: true);
        OutputAssert.Thumbnails(_out.Path, result, 3, 720, 406);
        Assert.False(File.Exists(Path.Combine(_out.Path, "preview.mp4")));
        Assert.False(File.Exists(Path.Combine(_out.Path, "audio.mp3")));
        Assert.Equal([0, 2], OutputAssert.KeyframeTimes(Path.Combine(_out.Path, "720p.mp4")).Select(t => Math.Round(t, 1)));
    }

    [Fact]
    public async Task Rotation_metadata_is_applied_so_phone_video_comes_out_upright()
    {
        var result = await Transcode("rotated", Fast with { Ladder = [Rung.P480], ThumbnailCount = 1 });

        Assert.Equal(90, result.Source.Video.Rotation);
        Assert.Equal((1280, 720), (result.Source.Video.CodedWidth, result.Source.Video.CodedHeight));
        OutputAssert.Renditions(_out.Path, result, [("480p", 480, 854)], audio: true);
        OutputAssert.Thumbnails(_out.Path, result, 1, 720, 1280);
        OutputAssert.Preview(_out.Path, 360);
    }

    [Fact]
    public async Task A_clip_without_audio_gets_silent_outputs_and_no_mp3()
    {
        var result = await Transcode("silent", Fast with { Dash = true, ThumbnailCount = 1 });

        Assert.Null(result.Source.Audio);
        OutputAssert.Renditions(_out.Path, result, Portrait, audio: false);
        OutputAssert.Hls(_out.Path, ["720p", "480p", "360p"], audio: false);
        Assert.Null(result.Audio);
        Assert.False(File.Exists(Path.Combine(_out.Path, "audio.mp3")));
        Assert.False(Directory.Exists(Path.Combine(_out.Path, "hls", "audio")));
        Assert.Equal(3, Tool.Probe(Path.Combine(_out.Path, "dash", "manifest.mpd")).GetProperty("streams").GetArrayLength());
    }

    [Fact]
    public async Task A_source_smaller_than_every_rung_gets_one_rendition_at_its_own_size()
    {
        var result = await Transcode("tiny", Fast with { ThumbnailCount = 2 });

        OutputAssert.Renditions(_out.Path, result, [("source", 320, 180)], audio: true, fps: 24);
        OutputAssert.Hls(_out.Path, ["source"], audio: true);
        OutputAssert.Thumbnails(_out.Path, result, 2, 320, 180);
        OutputAssert.Preview(_out.Path, 320);
    }

    /// <summary>
    /// x264 writes the cap it was given into the stream; the measured bitrate of a short clip may pass the cap by
    /// what the encoder's buffer starts with, hence the margin.
    /// </summary>
    [Theory]
    [InlineData("small240", "240p", 240, 426, 300)]
    [InlineData("small", "source", 200, 356, 208)]
    public async Task A_source_below_every_rung_is_named_after_what_it_is_with_a_bitrate_that_fits_its_size(
        string clip, string name, int width, int height, int videoKbps)
    {
        var result = await Transcode(clip, Fast with { Dash = true, ThumbnailCount = 1, Preview = false });

        OutputAssert.Renditions(_out.Path, result, [(name, width, height)], audio: true, fps: 24);
        var file = Path.Combine(_out.Path, $"{name}.mp4");
        Assert.Contains($" vbv_maxrate={videoKbps} ", OutputAssert.X264Settings(file), StringComparison.Ordinal);
        var probe = Tool.Probe(file);
        Assert.InRange(probe.Video().Int("bit_rate"), 1, videoKbps * 1400);
        Assert.InRange(probe.Stream("audio")!.Value.Int("bit_rate"), 56_000, 72_000);

        OutputAssert.Hls(_out.Path, [name], audio: true);
        Assert.Equal([name, "audio"], result.Hls!.Variants.Select(v => v.Name));
        var variant = File.ReadAllLines(Path.Combine(_out.Path, "hls", "master.m3u8")).Single(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        Assert.Contains($"RESOLUTION={width}x{height},", variant, StringComparison.Ordinal);
        Assert.InRange(OutputAssert.Attribute(variant, "BANDWIDTH"), 1, (videoKbps + 64) * 1500);

        var dash = XDocument.Load(Path.Combine(_out.Path, "dash", "manifest.mpd"));
        var representation = dash.Descendants().Single(e => e.Name.LocalName == "Representation" && e.Attribute("width") is not null);
        Assert.Equal((name, $"../hls/{name}/", width, height),
            (representation.Attribute("id")!.Value, representation.Elements().Single(e => e.Name.LocalName == "BaseURL").Value,
             (int)representation.Attribute("width")!, (int)representation.Attribute("height")!));
        Assert.Equal(width, Tool.Probe(Path.Combine(_out.Path, "dash", "manifest.mpd")).Video().Int("width"));
    }

    [Fact]
    public async Task Odd_dimensions_and_444_chroma_become_even_420()
    {
        var result = await Transcode("odd", Fast with { ThumbnailCount = 1 });

        Assert.Equal((641, 361), (result.Source.Video.Width, result.Source.Video.Height));
        OutputAssert.Renditions(_out.Path, result, [("360p", 640, 360)], audio: true);
    }

    [Fact]
    public async Task Sixty_fps_is_capped_at_thirty_with_keyframes_every_two_seconds()
    {
        var result = await Transcode("sixty", Fast with { Ladder = [Rung.P720, Rung.P240], ThumbnailCount = 1 });

        Assert.Equal(60, result.Source.Video.FramesPerSecond);
        OutputAssert.Renditions(_out.Path, result, [("720p", 1280, 720), ("240p", 426, 240)], audio: true);
        Assert.Equal([0, 2], OutputAssert.KeyframeTimes(Path.Combine(_out.Path, "240p.mp4")).Select(t => Math.Round(t, 1)));
    }

    [Fact]
    public async Task Ten_bit_hevc_becomes_eight_bit_h264()
    {
        var result = await Transcode("hevc10", Fast with { Ladder = [Rung.P360], ThumbnailCount = 1 });

        Assert.Equal("hevc", result.Source.Video.Codec);
        Assert.Equal("yuv420p10le", result.Source.Video.PixelFormat);
        OutputAssert.Renditions(_out.Path, result, [("360p", 360, 640)], audio: true);
        OutputAssert.Preview(_out.Path, 360);
    }

    [Fact]
    public async Task A_clip_with_fewer_frames_than_thumbnails_gets_one_thumbnail_per_frame()
    {
        var result = await Transcode("slideshow", Fast with { Ladder = [Rung.P240] });

        Assert.Equal([0.0, 1, 2], result.Thumbnails.Select(t => t.OffsetSeconds));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_out.Path, "thumbnails")).Length);
        OutputAssert.Renditions(_out.Path, result, [("240p", 240, 426)], audio: true, fps: 1);
    }

    [Fact]
    public async Task Dash_alone_keeps_its_segments_under_dash_and_writes_no_playlists()
    {
        var result = await Transcode("portrait", Fast with { Hls = false, Dash = true, Ladder = [Rung.P360], ThumbnailCount = 1 });

        Assert.Null(result.Hls);
        Assert.False(Directory.Exists(Path.Combine(_out.Path, "hls")));
        Assert.Empty(Directory.GetFiles(_out.Path, "*.m3u8", SearchOption.AllDirectories));
        Assert.Equal(["360p", "audio"], result.Dash!.Variants.Select(v => v.Name));
        Assert.All(result.Dash.Variants, v => Assert.Null(v.Playlist));
        Assert.Equal(2, Tool.Probe(Path.Combine(_out.Path, "dash", "manifest.mpd")).GetProperty("streams").GetArrayLength());
    }

    [Fact]
    public async Task An_output_folder_named_with_the_tee_muxers_syntax_still_gets_every_output()
    {
        var folder = Path.Combine(_out.Path, "we:ird [tee]|name 'q' \\");
        var result = await new MediaEngine(new MediaOptions(), TimeProvider.System).TranscodeAsync(clips["portrait"], folder, Fast with { Ladder = [Rung.P360], ThumbnailCount = 1 }, null, CancellationToken.None);

        OutputAssert.Renditions(folder, result, [("360p", 360, 640)], audio: true);
        OutputAssert.Hls(folder, ["360p"], audio: true);
        Assert.Equal(["360p.mp4", "audio.mp3", "preview.mp4"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_run_into_the_same_folder_replaces_the_first()
    {
        await Transcode("portrait", Fast with { Ladder = [Rung.P480, Rung.P360], ThumbnailCount = 1 });
        var second = await Transcode("tiny", Fast with { ThumbnailCount = 1 });

        OutputAssert.Renditions(_out.Path, second, [("source", 320, 180)], audio: true, fps: 24);
        OutputAssert.Hls(_out.Path, ["source"], audio: true);
        Assert.False(Directory.Exists(Path.Combine(_out.Path, "hls", "480p")));
        Assert.False(File.Exists(Path.Combine(_out.Path, "480p.mp4")));
    }

    [Fact]
    public async Task A_second_run_removes_the_source_sized_rendition_of_the_first()
    {
        await Transcode("tiny", Fast with { ThumbnailCount = 1 });
        await Transcode("portrait", Fast with { Ladder = [Rung.P360], ThumbnailCount = 1 });

        Assert.False(File.Exists(Path.Combine(_out.Path, "source.mp4")));
        Assert.False(Directory.Exists(Path.Combine(_out.Path, "hls", "source")));
    }
}
