using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Media.Probing;

namespace Mixillo.Tests.Unit;

public class ProbeParserTests
{
    private const string Phone = """
        {
          "streams": [
            { "index": 0, "codec_type": "video", "codec_name": "hevc", "duration": "12.400000", "width": 1920, "height": 1080, "pix_fmt": "yuv420p10le",
              "avg_frame_rate": "0/0", "r_frame_rate": "30000/1001",
              "side_data_list": [ { "side_data_type": "Display Matrix", "rotation": -90 } ] },
            { "index": 1, "codec_type": "audio", "codec_name": "aac", "sample_rate": "48000", "channels": 2 }
          ],
          "format": { "format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.500000", "bit_rate": "8000000" }
        }
        """;

    [Fact]
    public void Phone_video_is_read_with_rotation_applied_to_the_displayed_size()
    {
        var source = ProbeParser.Parse(Phone, 12_500_000);
        Assert.Equal("mov", source.Demuxer);
        Assert.Equal(12.5, source.DurationSeconds);
        Assert.Equal(0, source.StartSeconds);
        Assert.Equal(8_000_000, source.BitrateBps);
        Assert.Equal((1920, 1080), (source.Video.CodedWidth, source.Video.CodedHeight));
        Assert.Equal(270, source.Video.Rotation);
        Assert.Equal((1080, 1920), (source.Video.Width, source.Video.Height));
        Assert.Equal(29.97, source.Video.FramesPerSecond, precision: 2);
        Assert.Equal("yuv420p10le", source.Video.PixelFormat);
        Assert.Equal(12.4, source.Video.DurationSeconds);
        Assert.Equal(new AudioStreamInfo { Index = 1, Codec = "aac", SampleRate = 48000, Channels = 2 }, source.Audio);
    }

    [Fact]
    public void The_legacy_rotate_tag_is_honoured()
    {
        var json = """{ "streams": [ { "codec_type": "video", "width": 640, "height": 360, "tags": { "rotate": "180" } } ], "format": { "format_name": "mov", "duration": "1" } }""";
        var video = ProbeParser.Parse(json, 1).Video;
        Assert.Equal(180, video.Rotation);
        Assert.Equal((640, 360), (video.Width, video.Height));
    }

    [Fact]
    public void A_file_without_audio_has_null_audio()
    {
        var json = """{ "streams": [ { "codec_type": "video", "width": 640, "height": 360 } ], "format": { "format_name": "matroska,webm", "duration": "2" } }""";
        var source = ProbeParser.Parse(json, 100);
        Assert.Null(source.Audio);
        Assert.Equal("matroska", source.Demuxer);
        Assert.Equal(400, source.BitrateBps);
    }

    [Fact]
    public void Cover_art_ahead_of_the_video_is_skipped_and_the_real_stream_indexes_kept()
    {
        var json = """
            { "streams": [ { "index": 0, "codec_type": "video", "codec_name": "mjpeg", "width": 500, "height": 500, "disposition": { "attached_pic": 1 } },
                           { "index": 1, "codec_type": "audio", "codec_name": "aac" },
                           { "index": 2, "codec_type": "video", "codec_name": "h264", "width": 1280, "height": 720 } ],
              "format": { "format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "5" } }
            """;
        var source = ProbeParser.Parse(json, 1);
        Assert.Equal((2, "h264"), (source.Video.Index, source.Video.Codec));
        Assert.Equal(1, source.Audio!.Index);
        Assert.Null(source.Video.DurationSeconds);
    }

    [Fact]
    public void An_mpeg_ts_timeline_keeps_its_start()
    {
        var json = """{ "streams": [ { "codec_type": "video", "width": 640, "height": 360 } ], "format": { "format_name": "mpegts", "start_time": "1.400000", "duration": "4.023" } }""";
        Assert.Equal(1.4, ProbeParser.Parse(json, 1).StartSeconds);
    }

    [Fact]
    public void Audio_with_cover_art_is_not_a_video()
    {
        var json = """
            { "streams": [ { "codec_type": "audio", "codec_name": "mp3" },
                           { "codec_type": "video", "codec_name": "mjpeg", "width": 500, "height": 500, "disposition": { "attached_pic": 1 } } ],
              "format": { "format_name": "mp3", "duration": "200" } }
            """;
        Assert.Equal(ErrorCatalog.InputNotVideo.Code, Assert.Throws<MediaException>(() => ProbeParser.Parse(json, 1)).Code);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    public void Unreadable_probe_output_is_malformed_input(string json) =>
        Assert.Equal(ErrorCatalog.InputMalformed.Code, Assert.Throws<MediaException>(() => ProbeParser.Parse(json, 1)).Code);
}
