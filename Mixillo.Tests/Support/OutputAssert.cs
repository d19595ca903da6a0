using System.Globalization;
using System.Text.Json;
using Mixillo.Media.Packaging;
using Mixillo.Media.Results;

namespace Mixillo.Tests.Support;

/// <summary>Checks a written output folder against the contract with ffprobe, not against the engine's own report.</summary>
public static class OutputAssert
{
    public const double MaxSegmentSeconds = 6.5;

    /// <summary>
    /// Every rendition: H.264 8-bit 4:2:0 at the expected size and frame rate (by default a source of 30 fps or
    /// more, so DESIGN.md's caps apply: 24 for 240p, 30 above), faststart, AAC-LC stereo 44.1 kHz when the source had audio.
    /// </summary>
    public static void Renditions(string folder, TranscodeResult result, IReadOnlyList<(string Name, int Width, int Height)> expected, bool audio, double? fps = null)
    {
        Assert.Equal(expected.Select(e => e.Name), result.Renditions.Select(r => r.Name));
        foreach (var (name, width, height) in expected)
        {
            var path = Path.Combine(folder, $"{name}.mp4");
            var probe = Tool.Probe(path);
            var video = probe.Video();
            Assert.Equal("h264", video.Text("codec_name"));
            Assert.Equal("yuv420p", video.Text("pix_fmt"));
            Assert.Equal((width, height), (video.Int("width"), video.Int("height")));
            Assert.Equal(fps ?? (name == "240p" ? 24 : 30), Rate(video.Text("avg_frame_rate")), precision: 1);
            Assert.False(video.TryGetProperty("side_data_list", out _), $"{name} carries a display matrix");
            var boxes = Mp4Boxes.TopLevel(path).ToList();
            Assert.True(boxes.IndexOf("moov") < boxes.IndexOf("mdat"), $"{name} is not faststart: {string.Join(',', boxes)}");

            var sound = probe.Stream("audio");
            Assert.Equal(audio, sound is not null);
            if (sound is { } a)
            {
                Assert.Equal("aac", a.Text("codec_name"));
                Assert.Equal("LC", a.Text("profile"));
                Assert.Equal(44100, a.Int("sample_rate"));
                Assert.Equal(2, a.Int("channels"));
            }

            var reported = result.Renditions.Single(r => r.Name == name);
            Assert.Equal(new FileInfo(path).Length, reported.SizeBytes);
            Assert.Equal((width, height), (reported.Width, reported.Height));
            Assert.True(reported.BitrateBps > 0 && reported.DurationSeconds > 0);
        }
    }

    /// <summary>The HLS master and each variant: VOD, ended, segments no longer than 6.5 s, every named file present.</summary>
    public static void Hls(string folder, IReadOnlyList<string> variants, bool audio)
    {
        var master = File.ReadAllText(Path.Combine(folder, "hls", "master.m3u8"));
        Assert.StartsWith("#EXTM3U", master, StringComparison.Ordinal);
        Assert.Equal(audio, master.Contains("#EXT-X-MEDIA:TYPE=AUDIO", StringComparison.Ordinal));
        var named = master.Split('\n').Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)).ToList();
        Assert.Equal(variants.Select(v => $"{v}/playlist.m3u8"), named);
        Assert.Equal(variants.Count, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("CODECS=\"avc1.", StringComparison.Ordinal)));

        foreach (var variant in audio ? [.. variants, "audio"] : variants)
        {
            var dir = Path.Combine(folder, "hls", variant);
            var playlist = MediaPlaylist.Parse(File.ReadAllText(Path.Combine(dir, "playlist.m3u8")));
            Assert.True(playlist.IsVod && playlist.HasEndList, $"{variant} is not a finished VOD playlist");
            Assert.True(File.Exists(Path.Combine(dir, playlist.InitSegment!)));
            Assert.NotEmpty(playlist.Segments);
            Assert.All(playlist.Segments, s =>
            {
                Assert.True(s.DurationSeconds <= MaxSegmentSeconds, $"{variant}/{s.Uri} lasts {s.DurationSeconds} s");
                Assert.True(new FileInfo(Path.Combine(dir, s.Uri)).Length > 0);
            });
        }

        // ffmpeg's own HLS demuxer must read the master back: every rendition and the audio.
        var probed = Tool.Probe(Path.Combine(folder, "hls", "master.m3u8"));
        Assert.Equal(variants.Count, probed.GetProperty("streams").EnumerateArray().Count(s => s.Text("codec_type") == "video"));
    }

    public static void Thumbnails(string folder, TranscodeResult result, int count, int width, int height)
    {
        Assert.Equal(count, Directory.GetFiles(Path.Combine(folder, "thumbnails"), "*.jpg").Length);
        Assert.Equal(count, result.Thumbnails.Count);
        for (var i = 1; i <= count; i++)
        {
            var video = Tool.Probe(Path.Combine(folder, "thumbnails", $"thumb_{i}.jpg")).Video();
            Assert.Equal("mjpeg", video.Text("codec_name"));
            Assert.Equal((width, height), (video.Int("width"), video.Int("height")));
        }

        // Evenly spaced: the middles of N equal slices of the clip, within a frame.
        var duration = result.Source.DurationSeconds;
        var frame = 1 / result.Source.Video.FramesPerSecond;
        Assert.All(result.Thumbnails.Select((t, i) => (t.OffsetSeconds, Slice: (i + 0.5) * duration / count)),
            t => Assert.InRange(t.OffsetSeconds, t.Slice - frame, t.Slice + 0.001));
    }

    public static void Preview(string folder, int width, double seconds = 3)
    {
        var probe = Tool.Probe(Path.Combine(folder, "preview.mp4"), "-count_frames");
        var video = probe.Video();
        Assert.Null(probe.Stream("audio"));
        Assert.Equal("h264", video.Text("codec_name"));
        Assert.Equal(width, video.Int("width"));
        Assert.Equal(15, Rate(video.Text("avg_frame_rate")), precision: 3);
        Assert.Equal((int)(seconds * 15), video.Int("nb_read_frames"));
        Assert.Equal(seconds, probe.Seconds(), precision: 1);
    }

    public static void Mp3(string folder, double seconds)
    {
        var probe = Tool.Probe(Path.Combine(folder, "audio.mp3"));
        var audio = probe.Stream("audio")!.Value;
        Assert.Null(probe.Stream("video"));
        Assert.Equal("mp3", audio.Text("codec_name"));
        Assert.Equal(44100, audio.Int("sample_rate"));
        Assert.Equal(192000, audio.Int("bit_rate"));
        Assert.Equal(seconds, probe.Seconds(), precision: 0);
    }

    /// <summary>The options x264 recorded in a file's stream (a message before its first frame), e.g. <c>vbv_maxrate=300</c>.</summary>
    public static string X264Settings(string path)
    {
        var bytes = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        var start = bytes.IndexOf("x264 - core", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{path} carries no x264 settings");
        return bytes[start..bytes.IndexOf('\0', start)];
    }

    /// <summary>A whole-number attribute of an HLS tag line, e.g. BANDWIDTH of #EXT-X-STREAM-INF.</summary>
    public static long Attribute(string tag, string name)
    {
        var value = tag.Split([':', ','])
            .Single(part => part.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
        return long.Parse(value, CultureInfo.InvariantCulture);
    }

    public static void NoScratch(string folder) =>
        Assert.Empty(Directory.Exists(folder) ? Directory.GetDirectories(folder, ".scratch-*") : []);

    public static double Rate(string ratio)
    {
        var parts = ratio.Split('/');
        return double.Parse(parts[0], CultureInfo.InvariantCulture) / double.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Presentation times of the keyframes of a file's video stream.</summary>
    public static IReadOnlyList<double> KeyframeTimes(string path)
    {
        var json = Tool.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "json", path]);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("packets").EnumerateArray()
            .Where(p => p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal))
            .Select(p => double.Parse(p.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture))
            .Order()];
    }
}
