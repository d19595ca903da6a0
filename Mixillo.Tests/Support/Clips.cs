using System.Globalization;

namespace Mixillo.Tests.Support;

/// <summary>
/// Test media, generated once per run from ffmpeg's lavfi sources (never downloaded): short clips that
/// each stand for a kind of real-world upload.
/// </summary>
public sealed class Clips : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, Lazy<string>> _clips = [];

    public Clips()
    {
        Add("portrait", () => Clip("720x1280", 30, 4, audio: true));
        Add("landscape", () => Clip("1280x720", 30, 4, audio: true));
        // Coded landscape with a 90 degree display matrix, as phones record portrait video.
        Add("rotated", () =>
        {
            var coded = Clip("1280x720", 30, 3, audio: true);
            var path = _folder.File("rotated.mp4");
            Tool.Ffmpeg("-i", coded, "-c", "copy", "-metadata:s:v:0", "rotate=90", path);
            return path;
        });
        Add("silent", () => Clip("720x1280", 30, 3, audio: false));
        Add("tiny", () => Clip("320x180", 30, 3, audio: true));
        // Below the default ladder, at the 240p size and off every standard size; long enough that a bitrate cap shows.
        Add("small240", () => Clip("240x426", 30, 8, audio: true));
        Add("small", () => Clip("200x356", 30, 8, audio: true));
        // Odd dimensions need a chroma format without subsampling (and lavfi sources round to even, hence the crop);
        // 4:4:4 also checks that outputs come out 4:2:0.
        Add("odd", () =>
        {
            var path = _folder.File("odd.mp4");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=642x362:rate=30:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
                "-vf", "format=yuv444p,crop=641:361:0:0", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", path);
            return path;
        });
        Add("sixty", () => Clip("1280x720", 60, 3, audio: true));
        Add("hevc10", () =>
        {
            var path = _folder.File("hevc10.mp4");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=720x1280:rate=30:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
                "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error", "-tag:v", "hvc1",
                "-c:a", "aac", path);
            return path;
        });
        Add("slideshow", () => Clip("720x1280", 1, 3, audio: true));
        Add("long", () => Clip("1280x720", 30, 40, audio: true));
        // Three HLS segments (6, 6 and 2 s): long enough to play while the rest is encoded.
        Add("fourteen", () => Clip("480x854", 30, 14, audio: true));
        // An MP4 with its index first (faststart): cut after 40,000 bytes, the header still declares all 4 s and
        // probes clean, while the data stops inside the first frame.
        Add("faststart", () => Clip("720x1280", 30, 4, audio: true, faststart: true));
        Add("truncated", () =>
        {
            var path = _folder.File("truncated.mp4");
            using var whole = File.OpenRead(this["faststart"]);
            var head = new byte[40_000];
            whole.ReadExactly(head);
            File.WriteAllBytes(path, head);
            return path;
        });
        Add("mov", () =>
        {
            var path = _folder.File("clip.mov");
            Tool.Ffmpeg("-i", this["portrait"], "-c", "copy", path);
            return path;
        });
        Add("mkv", () =>
        {
            var path = _folder.File("clip.mkv");
            Tool.Ffmpeg("-i", this["tiny"], "-c", "copy", path);
            return path;
        });
        Add("webm", () =>
        {
            var path = _folder.File("clip.webm");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
                "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", path);
            return path;
        });
        // Sources that hold more than they declare. A Matroska file of 60 s whose header says 5 s: the segment's
        // Duration rewritten in place (ffmpeg has no way to write a false one), the timestamps left true.
        Add("mkv60", () =>
        {
            var path = _folder.File("mkv60.mkv");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x114:rate=1:duration=60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path);
            return path;
        });
        Add("claims5", () =>
        {
            var path = _folder.File("claims5.mkv");
            File.WriteAllBytes(path, Matroska.WithDuration(File.ReadAllBytes(this["mkv60"]), TimeSpan.FromSeconds(5)));
            return path;
        });
        // Eight copies of a 2 s MPEG-TS clip, end to end: each starts its timestamps over, so the file declares
        // 2 s and ffmpeg, which joins the pieces, decodes 16 s.
        Add("restarting", () =>
        {
            var piece = _folder.File("piece.ts");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x114:rate=30:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", piece);
            var path = _folder.File("restarting.ts");
            File.WriteAllBytes(path, [.. Enumerable.Repeat(File.ReadAllBytes(piece), 8).SelectMany(bytes => bytes)]);
            return path;
        });
        // 60 s of 30 fps squeezed into 5 s: it declares 30 fps and 5 s (150 frames) and holds 1,800 frames.
        Add("dense", () =>
        {
            var path = _folder.File("dense.mkv");
            var normal = _folder.File("dense-source.mkv");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x114:rate=30:duration=60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "0", normal);
            Tool.Ffmpeg("-i", normal, "-c", "copy", "-bsf:v", "setts=ts=TS/12", path);
            return path;
        });
        // MPEG-TS whose picture grows from 360x640 to 720x1280 after 2 s (timestamps continuous; the stream
        // carries each part's parameter sets): probing sees only the first size.
        Add("growing", () =>
        {
            var small = _folder.File("growing-small.ts");
            var large = _folder.File("growing-large.ts");
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=360x640:rate=30:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", small);
            Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=720x1280:rate=30:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-output_ts_offset", "2", large);
            var path = _folder.File("growing.ts");
            File.WriteAllBytes(path, [.. File.ReadAllBytes(small), .. File.ReadAllBytes(large)]);
            return path;
        });
        // Not a video at all, named as one.
        Add("text", () =>
        {
            var path = _folder.File("text.mp4");
            File.WriteAllText(path, "not a video\n");
            return path;
        });
        Add("audio-only", () =>
        {
            var path = _folder.File("audio-only.m4a");
            Tool.Ffmpeg("-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac", path);
            return path;
        });
    }

    public string this[string name] => _clips[name].Value;

    public string Folder => _folder.Path;

    public void Dispose() => _folder.Dispose();

    private void Add(string name, Func<string> make) => _clips[name] = new Lazy<string>(make, LazyThreadSafetyMode.ExecutionAndPublication);

    private string Clip(string size, int fps, int seconds, bool audio, bool faststart = false)
    {
        var path = _folder.File(string.Create(CultureInfo.InvariantCulture, $"{size}-{fps}-{seconds}-{(audio ? "a" : "n")}{(faststart ? "-faststart" : "")}.mp4"));
        var args = new List<string> { "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={size}:rate={fps}:duration={seconds}") };
        if (audio)
        {
            args.AddRange(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"sine=frequency=440:duration={seconds}")]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
        if (audio)
        {
            args.AddRange(["-c:a", "aac"]);
        }

        if (faststart)
        {
            args.AddRange(["-movflags", "+faststart"]);
        }

        args.Add(path);
        Tool.Ffmpeg([.. args]);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class MediaCollection : ICollectionFixture<Clips>
{
    public const string Name = "media";
}
