using System.Xml.Linq;
using Mixillo.Media.Packaging;

namespace Mixillo.Tests.Unit;

public class PackagingTests
{
    private const string Variant = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:6
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-MAP:URI="init_0.mp4"
        #EXTINF:6.000000,
        seg_000.m4s
        #EXTINF:6.000000,
        seg_001.m4s
        #EXTINF:6.000000,
        seg_002.m4s
        #EXTINF:1.500000,
        seg_003.m4s
        #EXT-X-ENDLIST
        """;

    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    private static StreamVariant Video(string name, long peak, int width, int height) => new()
    {
        Name = name,
        Folder = $"hls/{name}",
        Playlist = MediaPlaylist.Parse(Variant),
        Codecs = "avc1.640028",
        PeakBitrate = peak,
        AverageBitrate = peak / 2,
        Width = width,
        Height = height,
        FramesPerSecond = 30,
    };

    private static readonly StreamVariant Audio = new()
    {
        Name = "audio",
        Folder = "hls/audio",
        Playlist = MediaPlaylist.Parse(Variant),
        Codecs = CodecStrings.AacLc,
        PeakBitrate = 130_000,
        AverageBitrate = 128_000,
    };

    [Fact]
    public void A_variant_playlist_is_read_with_its_init_segment_and_timings()
    {
        var playlist = MediaPlaylist.Parse(Variant);
        Assert.Equal("init_0.mp4", playlist.InitSegment);
        Assert.Equal(["seg_000.m4s", "seg_001.m4s", "seg_002.m4s", "seg_003.m4s"], playlist.Segments.Select(s => s.Uri));
        Assert.Equal(19.5, playlist.DurationSeconds);
        Assert.True(playlist.IsVod && playlist.HasEndList);
        Assert.Equal(6, playlist.TargetDuration);
        Assert.Throws<FormatException>(() => MediaPlaylist.Parse("<html>"));
    }

    [Fact]
    public void The_master_playlist_lists_renditions_highest_first_with_codecs_and_the_audio_group()
    {
        var master = MasterPlaylist.Write([Video("480p", 1_000_000, 480, 854), Video("720p", 2_600_000, 720, 1280)], Audio, "playlist.m3u8");
        var lines = master.Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);
        Assert.Contains("#EXT-X-INDEPENDENT-SEGMENTS", lines);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/playlist.m3u8\"", lines);
        var first = Array.FindIndex(lines, l => l.StartsWith("#EXT-X-STREAM-INF", StringComparison.Ordinal));
        Assert.Equal("#EXT-X-STREAM-INF:BANDWIDTH=2730000,AVERAGE-BANDWIDTH=1428000,CODECS=\"avc1.640028,mp4a.40.2\",RESOLUTION=720x1280,FRAME-RATE=30.000,AUDIO=\"audio\"", lines[first]);
        Assert.Equal("720p/playlist.m3u8", lines[first + 1]);
        Assert.Equal("480p/playlist.m3u8", lines[first + 3]);
    }

    [Fact]
    public void Without_audio_the_master_names_video_codecs_only()
    {
        var master = MasterPlaylist.Write([Video("360p", 600_000, 360, 640)], null, "playlist.m3u8");
        Assert.DoesNotContain("EXT-X-MEDIA", master, StringComparison.Ordinal);
        Assert.Contains("CODECS=\"avc1.640028\",RESOLUTION=360x640", master, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mpd_points_at_the_shared_segments_with_an_exact_timeline()
    {
        var xml = XDocument.Parse(DashManifest.Write([Video("720p", 2_600_000, 720, 1280)], Audio, "../hls/", "seg_%03d.m4s"));
        var mpd = xml.Root!;
        Assert.Equal("static", (string?)mpd.Attribute("type"));
        Assert.Equal("PT19.500S", (string?)mpd.Attribute("mediaPresentationDuration"));
        var sets = mpd.Descendants(Mpd + "AdaptationSet").ToList();
        Assert.Equal(["video", "audio"], sets.Select(s => (string?)s.Attribute("contentType")));

        var video = sets[0].Element(Mpd + "Representation")!;
        Assert.Equal("avc1.640028", (string?)video.Attribute("codecs"));
        Assert.Equal("../hls/720p/", video.Element(Mpd + "BaseURL")!.Value);
        var template = video.Element(Mpd + "SegmentTemplate")!;
        Assert.Equal("init_0.mp4", (string?)template.Attribute("initialization"));
        Assert.Equal("seg_$Number%03d$.m4s", (string?)template.Attribute("media"));
        Assert.Equal("0", (string?)template.Attribute("startNumber"));
        var timeline = template.Descendants(Mpd + "S").Select(s => ((string?)s.Attribute("t"), (string?)s.Attribute("d"), (string?)s.Attribute("r"))).ToList();
        Assert.Equal([("0", "6000", "2"), ("18000", "1500", null)], timeline);

        Assert.Equal("../hls/audio/", sets[1].Descendants(Mpd + "BaseURL").Single().Value);
    }

    [Fact]
    public void The_codec_string_comes_from_the_avcC_box()
    {
        byte[] init = [0, 0, 0, 0x20, .. "avcC"u8, 1, 0x64, 0x00, 0x1f, 0xff];
        Assert.Equal("avc1.64001f", CodecStrings.Avc(init));
        Assert.Null(CodecStrings.Avc("ftypisom"u8));
    }
}
