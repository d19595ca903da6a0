using Mixillo.Media.Packaging;
using Mixillo.Media.Planning;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Unit;

/// <summary>The HLS of an encode still running, read from a folder laid out as ffmpeg leaves it part-way.</summary>
public sealed class LiveHlsTests : IDisposable
{
    // An init segment as far as the codec string needs: its avcC box (High profile, level 3.1).
    private static readonly byte[] Init = [0, 0, 0, 12, .. "avcC"u8, 1, 0x64, 0x00, 0x1f];

    private static readonly Rendition[] Renditions = [new(Rung.P480, 480, 854, 30), new(Rung.P360, 360, 640, 30)];

    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private LiveHls Live => new(Renditions, withAudio: true, _root.Path);

    /// <summary>ffmpeg's EVENT playlist of <paramref name="listed"/> segments, and the files it wrote so far.</summary>
    private void Write(string variant, int listed, int files, bool init = true)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root.Path, "hls", variant)).FullName;
        if (init)
        {
            File.WriteAllBytes(Path.Combine(folder, "init.mp4"), Init);
        }

        for (var i = 0; i < files; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seg_{i:000}.m4s"), [1, 2, 3]);
        }

        var segments = string.Concat(Enumerable.Range(0, listed).Select(i => $"#EXTINF:6.000000,\nseg_{i:000}.m4s\n"));
        File.WriteAllText(Path.Combine(folder, "playlist.m3u8"), $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI=\"init.mp4\"\n{segments}");
    }

    [Fact]
    public void Only_segments_the_playlist_lists_and_that_are_there_count_and_a_variant_without_its_init_has_none()
    {
        Write("480p", listed: 2, files: 3);
        Write("360p", listed: 2, files: 1);
        Write("audio", listed: 1, files: 1, init: false);

        var variants = Live.Read();

        Assert.Equal(["hls/480p", "hls/360p", "hls/audio"], variants.Select(v => v.Folder));
        Assert.Equal([2, 1, 0], variants.Select(v => v.Playlist.Segments.Count));
        Assert.Null(variants[2].Playlist.InitSegment);
        Assert.Null(Live.Master(variants));
    }

    [Fact]
    public void A_playlist_not_written_yet_or_caught_half_written_lists_what_it_can()
    {
        Assert.All(Live.Read(), v => Assert.Empty(v.Playlist.Segments));

        Write("480p", listed: 2, files: 2);
        var path = Path.Combine(_root.Path, "hls", "480p", "playlist.m3u8");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..^8]);
        Assert.Equal(["seg_000.m4s"], Live.Read()[0].Playlist.Segments.Select(s => s.Uri));
        File.WriteAllText(path, "");
        Assert.Empty(Live.Read()[0].Playlist.Segments);
    }

    [Fact]
    public void The_master_comes_once_every_variant_has_a_segment_with_codecs_from_the_init_and_the_rungs_peak()
    {
        Write("480p", listed: 1, files: 1);
        Write("360p", listed: 1, files: 1);
        Write("audio", listed: 1, files: 1);

        var master = Live.Master(Live.Read());

        Assert.NotNull(master);
        var streams = master.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        // 1000 kb/s over a 6 s segment plus its 2 s buffer (4/3), and the 96 kb/s audio; nothing measured, so no average.
        Assert.Equal(
            "#EXT-X-STREAM-INF:BANDWIDTH=1429333,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=480x854,FRAME-RATE=30.000,AUDIO=\"audio\"",
            streams[0]);
        Assert.Contains("RESOLUTION=360x640", streams[1], StringComparison.Ordinal);
        Assert.Contains("URI=\"audio/playlist.m3u8\"", master, StringComparison.Ordinal);
    }

    [Fact]
    public void A_growing_playlist_is_an_event_played_from_its_start_that_ends_as_an_event_and_the_finished_one_is_vod()
    {
        Write("480p", listed: 2, files: 2);
        var playlist = Live.Read()[0].Playlist;

        var growing = playlist.WriteEvent(ended: false);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", growing, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-START:TIME-OFFSET=0\n", growing, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", growing, StringComparison.Ordinal);
        var reread = MediaPlaylist.Parse(growing);
        Assert.Equal((false, false, 6, "init.mp4"), (reread.IsVod, reread.HasEndList, reread.TargetDuration, reread.InitSegment));
        Assert.Equal(playlist.Segments, reread.Segments);

        var ended = MediaPlaylist.Parse(playlist.WriteEvent(ended: true));
        Assert.Equal((false, true), (ended.IsVod, ended.HasEndList));

        var vod = playlist.WriteVod();
        var finished = MediaPlaylist.Parse(vod);
        Assert.Equal((true, true), (finished.IsVod, finished.HasEndList));
        Assert.Equal(playlist.Segments, finished.Segments);
        Assert.DoesNotContain("#EXT-X-START", vod, StringComparison.Ordinal);
    }
}
