using Mixillo.Media;
using Mixillo.Media.Encoding;
using Mixillo.Media.Planning;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class FfmpegArgumentsTests
{
    private static SourceMetadata Source(bool audio = true, double fps = 60, double? videoSeconds = null) => new()
    {
        DurationSeconds = 10,
        SizeBytes = 1,
        BitrateBps = 1,
        FormatName = "mov,mp4,m4a,3gp,3g2,mj2",
        Demuxer = "mov",
        Video = new VideoStreamInfo { Index = 2, DurationSeconds = videoSeconds, Codec = "h264", CodedWidth = 1080, CodedHeight = 1920, Rotation = 0, FramesPerSecond = fps, PixelFormat = "yuv420p" },
        Audio = audio ? new AudioStreamInfo { Index = 1, Codec = "aac", SampleRate = 48000, Channels = 2 } : null,
    };

    private static IReadOnlyList<string> Encode(SourceMetadata source, TranscodeOptions options) =>
        FfmpegArguments.Encode(EncodePlanner.Plan(source, options), SourceBounds.For(source, new MediaOptions()), "/in/clip.mp4", source.Demuxer, "/out");

    private static string After(IReadOnlyList<string> args, string flag, int nth = 0) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == flag).Select(x => args[x.i + 1]).ElementAt(nth);

    [Fact]
    public void The_source_is_opened_once_as_a_local_file_with_a_forced_demuxer()
    {
        var args = Encode(Source(), new TranscodeOptions());
        Assert.Single(args, "-i");
        Assert.Equal("file:/in/clip.mp4", After(args, "-i"));
        Assert.Equal("file", After(args, "-protocol_whitelist"));
        Assert.Equal("mov", After(args, "-f"));
    }

    [Fact]
    public void One_split_feeds_every_rendition_the_thumbnails_and_the_preview()
    {
        var graph = FfmpegArguments.FilterGraph(EncodePlanner.Plan(Source(), new TranscodeOptions()));
        Assert.StartsWith("[0:2]split=6[s0][s1][s2][s3][s4][s5];[s0]settb=1/1000000,setpts=N[frames];", graph, StringComparison.Ordinal);
        Assert.Contains("fps=30,scale=720:1280:flags=bicubic,setsar=1,format=yuv420p[v0]", graph, StringComparison.Ordinal);
        Assert.Contains("scale=360:640:flags=bicubic,setsar=1,format=yuv420p[v2]", graph, StringComparison.Ordinal);
        Assert.Contains("trim=start=0:duration=3,setpts=PTS-STARTPTS,fps=15,scale=360:-2", graph, StringComparison.Ordinal);
        Assert.Contains("select='eq(n\\,60)+eq(n\\,180)+eq(n\\,300)+eq(n\\,420)+eq(n\\,540)',scale=720:-2,setsar=1[thumbs]", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_rendition_is_crf_23_capped_by_its_rung_with_keyframes_every_two_seconds()
    {
        var args = Encode(Source(), new TranscodeOptions { Preset = "veryfast" });
        Assert.Equal(["2500k", "1000k", "600k"], [After(args, "-maxrate", 0), After(args, "-maxrate", 1), After(args, "-maxrate", 2)]);
        Assert.Equal("5000k", After(args, "-bufsize", 0));
        Assert.Equal("23", After(args, "-crf"));
        Assert.Equal("veryfast", After(args, "-preset"));
        Assert.Equal("expr:gte(t,n_forced*2)", After(args, "-force_key_frames"));
        Assert.Equal("60", After(args, "-g"));
        Assert.Equal("0", After(args, "-sc_threshold"));
        Assert.Equal(["128k", "96k", "96k", "192k"], Enumerable.Range(0, 4).Select(i => After(args, "-b:a", i)));
        Assert.Equal(["720p", "480p", "360p"], args.Where(a => a.StartsWith("[f=mp4:movflags=+faststart]/out/", StringComparison.Ordinal)).Select(a => a.Split('|')[0][^8..^4]));
        Assert.Single(args, "+faststart");
        Assert.Equal("libmp3lame", After(args, "-c:a", 3));
        Assert.Equal("44100", After(args, "-ar", 3));
        Assert.Equal("/out/audio.mp3", args[^1]);
    }

    [Fact]
    public void With_hls_each_rendition_is_muxed_to_its_mp4_and_to_growing_segments_and_the_first_also_cuts_the_audio()
    {
        var args = Encode(Source(), new TranscodeOptions());
        var tees = args.Where((_, i) => i > 0 && args[i - 1] == "tee").Select(t => t.Split('|')).ToList();
        Assert.Equal([3, 2, 2], tees.Select(t => t.Length));
        const string Hls = "f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_flags=independent_segments:hls_fmp4_init_filename=init.mp4";
        Assert.Equal(
            ["[f=mp4:movflags=+faststart]/out/720p.mp4", $"[select=v:{Hls}:hls_segment_filename=/out/hls/720p/seg_%03d.m4s]/out/hls/720p/playlist.m3u8", $"[select=a:{Hls}:hls_segment_filename=/out/hls/audio/seg_%03d.m4s]/out/hls/audio/playlist.m3u8"],
            tees[0]);
        Assert.Equal($"[select=v:{Hls}:hls_segment_filename=/out/hls/360p/seg_%03d.m4s]/out/hls/360p/playlist.m3u8", tees[2][1]);
        // The tee's encoders need their headers global, as the MP4 and fMP4 muxers would have asked.
        Assert.Equal(3, args.Count(a => a == "-flags:v"));

        var plain = Encode(Source(), new TranscodeOptions { Hls = false });
        Assert.DoesNotContain("tee", plain);
        Assert.Equal(4, plain.Count(a => a == "+faststart"));
    }

    [Fact]
    public void Tee_names_escape_everything_the_muxer_would_read_as_syntax()
    {
        Assert.Equal("/tmp/a_b-1.2/seg_%03d.m4s", FfmpegArguments.TeeName("/tmp/a_b-1.2/seg_%03d.m4s"));
        Assert.Equal("/x\\:y\\ \\[z\\]\\|\\'q\\\\", FfmpegArguments.TeeName("/x:y [z]|'q\\"));
    }

    [Fact]
    public void A_source_without_audio_maps_no_audio_and_gets_no_mp3()
    {
        var args = Encode(Source(audio: false), new TranscodeOptions());
        Assert.DoesNotContain(args, a => a.StartsWith("0:", StringComparison.Ordinal));
        Assert.DoesNotContain("/out/audio.mp3", args);
    }

    [Fact]
    public void Switched_off_outputs_are_left_out_of_the_graph()
    {
        var options = new TranscodeOptions { Ladder = [Rung.P480], ThumbnailCount = 0, Preview = false, Audio = false };
        var args = Encode(Source(), options);
        Assert.Equal("[0:2]split=2[s0][s1];[s0]settb=1/1000000,setpts=N[frames];[s1]fps=30,scale=480:854:flags=bicubic,setsar=1,format=yuv420p[v0]", After(args, "-filter_complex"));
        Assert.DoesNotContain("libmp3lame", args);
        Assert.Equal(["[frames]", "[v0]", "0:1"], args.Select((a, i) => (a, i)).Where(x => x.a == "-map").Select(x => args[x.i + 1]));
    }

    [Fact]
    public void The_streams_probing_chose_are_the_ones_decoded()
    {
        var args = Encode(Source(), new TranscodeOptions());
        Assert.StartsWith("[0:2]split", After(args, "-filter_complex"), StringComparison.Ordinal);
        Assert.Equal(4, args.Count(a => a == "0:1"));
    }

    [Fact]
    public void Thumbnails_are_spaced_over_the_video_when_the_audio_runs_longer()
    {
        var plan = EncodePlanner.Plan(Source(videoSeconds: 5), new TranscodeOptions());
        Assert.Equal([0.5, 1.5, 2.5, 3.5, 4.5], plan.Thumbnails.Select(t => t.OffsetSeconds));
        Assert.Equal([1, 3, 5, 7, 9], EncodePlanner.Plan(Source(), new TranscodeOptions()).Thumbnails.Select(t => t.OffsetSeconds));
    }

    [Fact]
    public void Thumbnail_frames_are_exact_where_offsets_meet_frame_times()
    {
        var frames = EncodePlanner.Thumbnails(videoSeconds: 4, fps: 30, count: 5);
        Assert.Equal([12, 36, 60, 84, 108], frames.Select(t => t.Frame));
        Assert.Equal([0.4, 1.2, 2, 2.8, 3.6], frames.Select(t => t.OffsetSeconds));
    }

    [Fact]
    public void A_clip_with_fewer_frames_than_thumbnails_gets_one_per_frame()
    {
        var frames = EncodePlanner.Thumbnails(videoSeconds: 3, fps: 1, count: 5);
        Assert.Equal([0, 1, 2], frames.Select(t => t.Frame));
        Assert.Equal([0.0, 1, 2], frames.Select(t => t.OffsetSeconds));
        Assert.Equal([0], EncodePlanner.Thumbnails(videoSeconds: 0.01, fps: 30, count: 3).Select(t => t.Frame));
    }

    [Fact]
    public void An_unknown_frame_rate_spaces_thumbnails_as_if_30_fps()
    {
        Assert.Equal([15, 45], EncodePlanner.Thumbnails(videoSeconds: 2, fps: 0, count: 2).Select(t => t.Frame));
    }

    [Fact]
    public void The_decode_reads_a_second_past_the_bound_at_most_and_no_picture_larger_than_allowed()
    {
        // 10 s declared: bounded at 12 s, so ffmpeg stops reading at 13 s; 7680 px squared at the most.
        var args = Encode(Source(), new TranscodeOptions()).ToList();
        var input = args.IndexOf("-i");
        Assert.Equal("13", After(args, "-t"));
        Assert.Equal("58982400", After(args, "-max_pixels"));
        Assert.True(args.IndexOf("-t") < input && args.IndexOf("-max_pixels") < input, "bounds of the input, not of one output");
    }

    [Fact]
    public void The_first_output_counts_every_decoded_frame_and_writes_nothing()
    {
        var args = Encode(Source(), new TranscodeOptions()).ToList();
        var counter = args.IndexOf("[frames]");
        Assert.Equal("-map", args[counter - 1]);
        Assert.True(counter < args.IndexOf("[v0]"), "progress reports the first video output's frames");
        Assert.Equal(["-fps_mode", "passthrough", "-enc_time_base:v", "1/1000000", "-f", "null", "-"], args[(counter + 1)..(counter + 8)]);
    }

    [Fact]
    public void The_preview_is_capped_by_frame_count()
    {
        var args = Encode(Source(), new TranscodeOptions());
        Assert.Equal("45", After(args, "-frames:v"));
        Assert.Equal("-an", args[args.ToList().IndexOf("[preview]") + 1]);
    }

    [Fact]
    public void Hls_packaging_copies_streams_and_never_encodes()
    {
        var args = FfmpegArguments.DashSegments(["/s/720p.mp4", "/s/480p.mp4"], withAudio: true, ["720p", "480p"], "/s/hls");
        Assert.Equal(2, args.Count(a => a == "-i"));
        Assert.DoesNotContain("libx264", args);
        Assert.Equal("copy", After(args, "-c"));
        Assert.Equal("vod", After(args, "-hls_playlist_type"));
        Assert.Equal("fmp4", After(args, "-hls_segment_type"));
        Assert.Equal("6", After(args, "-hls_time"));
        Assert.Equal("v:0,name:720p,agroup:audio v:1,name:480p,agroup:audio a:0,name:audio,agroup:audio", After(args, "-var_stream_map"));
        Assert.Equal("/s/hls/%v/playlist.m3u8", args[^1]);
    }

    [Fact]
    public void Probing_limits_formats_only_for_untrusted_input()
    {
        var untrusted = FfmpegArguments.Probe("clip.mp4", ["mov", "matroska"]);
        Assert.Equal("mov,matroska", After(untrusted, "-format_whitelist"));
        Assert.Equal("file", After(untrusted, "-protocol_whitelist"));
        Assert.StartsWith("file:/", untrusted[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("-format_whitelist", FfmpegArguments.Probe("out.mp4", null));
    }

    [Fact]
    public void The_tail_read_keeps_the_probes_limits_forces_the_encodes_demuxer_and_decodes_nothing()
    {
        var args = FfmpegArguments.TailPackets("clip.mp4", "mov", ["mov", "matroska"], 3.5, 7.5);
        Assert.Equal("file", After(args, "-protocol_whitelist"));
        Assert.Equal("mov,matroska", After(args, "-format_whitelist"));
        Assert.Equal("mov", After(args, "-f"));
        Assert.Equal("3.5%7.5", After(args, "-read_intervals"));
        Assert.Equal("packet=pts_time,dts_time,duration_time", After(args, "-show_entries"));
        Assert.StartsWith("file:/", args[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(21, 5)]
    public void Transcode_options_are_validated(int thumbnails, int ladder)
    {
        var options = new TranscodeOptions { ThumbnailCount = thumbnails, Ladder = ladder == 0 ? [] : Rung.DefaultLadder };
        Assert.Throws<ArgumentException>(options.Validate);
        Assert.Throws<ArgumentException>(new TranscodeOptions { Preset = "placebo" }.Validate);
    }
}
