using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Mixillo.Media;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>media</c>: what DESIGN.md's "Efficiency is a feature" promises, measured. One synthetic portrait clip goes
/// through (a) the engine's default job, (b) the naive one-ffmpeg-per-output pipeline it replaced, and (c) the
/// floor, one ffmpeg that encodes the ladder and nothing else. Rounds interleave a, b, c so drift in machine
/// load (other builds, tests) spreads over all three instead of landing on one. CPU seconds are the figure of
/// merit; wall time is printed for information only.
/// </summary>
internal static class MediaBenchmark
{
    public const string Synopsis = "media [--seconds 8] [--rounds 2] [--preset medium]";

    private const double TargetVsNaive = 0.60;
    private const double TargetVsFloor = 1.15;
    private const int Width = 1080;
    private const int Height = 1920;
    private const int Fps = 30;
    private const int ThumbnailCount = 5;
    private const double PreviewSeconds = 3;

    // The ladder for a 1080x1920 source, written out from DESIGN.md rather than taken from the engine's planner,
    // so the reference jobs cannot inherit a mistake of the engine's.
    private static readonly Rung[] Ladder =
    [
        new("720p", 720, 1280, 2500, 128),
        new("480p", 480, 854, 1000, 96),
        new("360p", 360, 640, 600, 96),
    ];

    private static readonly string[] Quiet = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            await stderr.WriteLineAsync("The media benchmark reads getrusage's Linux layout; it runs on Linux only.");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("mixillo-bench-").FullName;
        try
        {
            var source = Path.Combine(root, "source.mp4");
            await stdout.WriteLineAsync(Invariant($"media benchmark: {Width}x{Height} {Fps} fps, {settings.Seconds} s, preset {settings.Preset}, {settings.Rounds} rounds, {Environment.ProcessorCount} cores, {await FfmpegVersionAsync(cancellationToken)}"));
            var generated = Stopwatch.StartNew();
            await FfmpegAsync(Source(source, settings.Seconds), cancellationToken);
            await stdout.WriteLineAsync(Invariant($"source: {new FileInfo(source).Length / 1e6:0.0} MB in {generated.Elapsed.TotalSeconds:0.0} s"));

            var engine = new MediaEngine(new MediaOptions(), TimeProvider.System);
            Job[] jobs =
            [
                new("(a)", "engine: MediaEngine.TranscodeAsync, default job", CountsSelf: true, (output, ct) => EngineAsync(engine, source, output, settings.Preset, stdout, ct)),
                new("(b)", "naive: 13 ffmpeg, one per output, HLS re-encoded", CountsSelf: false, (output, ct) => NaiveAsync(source, output, settings, ct)),
                new("(c)", "floor: one ffmpeg, one decode, the three rungs only", CountsSelf: false, (output, ct) => FloorAsync(source, output, settings.Preset, ct)),
            ];

            var samples = jobs.ToDictionary(j => j, _ => new List<(double Cpu, double Wall)>());
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var job in jobs)
                {
                    var output = Path.Combine(root, "out");
                    Directory.CreateDirectory(output);
                    var sample = await MeasureAsync(job, output, cancellationToken);
                    Directory.Delete(output, recursive: true);
                    samples[job].Add(sample);
                    await stdout.WriteLineAsync(Invariant($"round {round}/{settings.Rounds}  {job.Key}  cpu {sample.Cpu,7:0.00} s  wall {sample.Wall,7:0.00} s"));
                }
            }

            await stdout.WriteLineAsync();
            await stdout.WriteAsync(Summary(jobs, samples, settings));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// CPU is read after the job's last child was waited for. The engine runs in this process, so its own
    /// threads (the runtime, JIT, GC, process plumbing) count too; the reference jobs only start ffmpeg.
    /// </summary>
    private static async Task<(double Cpu, double Wall)> MeasureAsync(Job job, string output, CancellationToken cancellationToken)
    {
        var before = Cpu(job.CountsSelf);
        var wall = Stopwatch.StartNew();
        await job.RunAsync(output, cancellationToken);
        var elapsed = wall.Elapsed.TotalSeconds;
        return (Cpu(job.CountsSelf) - before, elapsed);
    }

    private static double Cpu(bool withSelf) => Rusage.ChildrenSeconds() + (withSelf ? Rusage.SelfSeconds() : 0);

    private static async Task EngineAsync(MediaEngine engine, string source, string output, string preset, TextWriter stdout, CancellationToken cancellationToken)
    {
        var result = await engine.TranscodeAsync(source, output, new TranscodeOptions { Preset = preset }, progress: null, cancellationToken);
        var t = result.Timings;
        var renditions = string.Join(' ', result.Renditions.Select(r => $"{r.Name}={r.Width}x{r.Height}"));
        await stdout.WriteLineAsync(Invariant($"    engine says: encode {t.EncodeSeconds:0.00} s, package {t.PackageSeconds:0.00} s, ffmpeg cpu {t.FfmpegCpuSeconds:0.00} s; {renditions}"));
    }

    /// <summary>
    /// The original design, run sequentially: every output decodes the source again, and HLS is a second encode
    /// of every rung. Encoder settings are the engine's, so only the plumbing differs.
    /// </summary>
    private static async Task NaiveAsync(string source, string output, Settings settings, CancellationToken cancellationToken)
    {
        foreach (var rung in Ladder)
        {
            await FfmpegAsync([.. Quiet, "-i", source, "-map", "0:v:0", "-vf", rung.Filter, .. rung.Video(settings.Preset), "-map", "0:a:0", .. rung.Audio,
                "-movflags", "+faststart", "-map_metadata", "-1", Path.Combine(output, rung.Name + ".mp4")], cancellationToken);
        }

        foreach (var rung in Ladder)
        {
            var folder = Path.Combine(output, "hls", rung.Name);
            Directory.CreateDirectory(folder);
            await FfmpegAsync([.. Quiet, "-i", source, "-map", "0:v:0", "-vf", rung.Filter, .. rung.Video(settings.Preset), "-map", "0:a:0", .. rung.Audio,
                "-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod",
                "-hls_segment_filename", Path.Combine(folder, "seg_%03d.ts"), Path.Combine(folder, "playlist.m3u8")], cancellationToken);
        }

        Directory.CreateDirectory(Path.Combine(output, "thumbnails"));
        for (var i = 0; i < ThumbnailCount; i++)
        {
            // The middle of the i-th of N equal slices, as the engine places them.
            var offset = (i + 0.5) * settings.Seconds / ThumbnailCount;
            await FfmpegAsync([.. Quiet, "-ss", Invariant($"{offset:0.###}"), "-i", source, "-frames:v", "1", "-vf", "scale=720:-2", "-q:v", "2",
                Path.Combine(output, "thumbnails", $"thumb_{i + 1}.jpg")], cancellationToken);
        }

        await FfmpegAsync([.. Quiet, "-t", Invariant($"{Math.Min(PreviewSeconds, settings.Seconds)}"), "-i", source, "-an",
            "-vf", "fps=15,scale=360:-2:flags=bicubic,setsar=1,format=yuv420p", .. H264(settings.Preset),
            "-movflags", "+faststart", Path.Combine(output, "preview.mp4")], cancellationToken);

        await FfmpegAsync([.. Quiet, "-i", source, "-vn", "-c:a", "libmp3lame", "-b:a", "192k", "-ar", "44100", "-ac", "2",
            Path.Combine(output, "audio.mp3")], cancellationToken);
    }

    /// <summary>The least any pipeline can spend on this contract: one decode, one encode per rung, no other outputs.</summary>
    private static Task FloorAsync(string source, string output, string preset, CancellationToken cancellationToken)
    {
        var labels = string.Concat(Ladder.Select((_, i) => $"[s{i}]"));
        var graph = $"[0:v]split={Ladder.Length}{labels};" + string.Join(';', Ladder.Select((r, i) => $"[s{i}]{r.Filter}[v{i}]"));
        var args = new List<string>(Quiet) { "-i", source, "-filter_complex", graph };
        for (var i = 0; i < Ladder.Length; i++)
        {
            var rung = Ladder[i];
            args.AddRange(["-map", $"[v{i}]", .. rung.Video(preset), "-map", "0:a:0", .. rung.Audio,
                "-movflags", "+faststart", "-map_metadata", "-1", Path.Combine(output, rung.Name + ".mp4")]);
        }

        return FfmpegAsync(args, cancellationToken);
    }

    /// <summary>Motion (testsrc2) plus temporal grain, so the encoders work as on camera footage; near-lossless so decoding costs what a phone upload does.</summary>
    private static IReadOnlyList<string> Source(string path, double seconds) =>
    [
        .. Quiet,
        "-f", "lavfi", "-i", Invariant($"testsrc2=size={Width}x{Height}:rate={Fps}:duration={seconds}"),
        "-f", "lavfi", "-i", Invariant($"sine=frequency=440:sample_rate=48000:duration={seconds}"),
        "-vf", "noise=alls=20:allf=t+u",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", path,
    ];

    private static string Summary(Job[] jobs, Dictionary<Job, List<(double Cpu, double Wall)>> samples, Settings settings)
    {
        var cpu = jobs.Select(j => Median(samples[j].Select(s => s.Cpu))).ToArray();
        var wall = jobs.Select(j => Median(samples[j].Select(s => s.Wall))).ToArray();
        var text = new System.Text.StringBuilder();
        text.AppendLine(Invariant($"Medians of {settings.Rounds} interleaved rounds; {Width}x{Height} {Fps} fps, {settings.Seconds} s, preset {settings.Preset}."));
        text.AppendLine();
        text.AppendLine("| job | CPU s | wall s |");
        text.AppendLine("|---|---:|---:|");
        for (var i = 0; i < jobs.Length; i++)
        {
            text.AppendLine(Invariant($"| {jobs[i].Key} {jobs[i].Description} | {cpu[i]:0.00} | {wall[i]:0.00} |"));
        }

        text.AppendLine();
        text.AppendLine("| ratio | CPU | wall (info) | target (CPU) | result |");
        text.AppendLine("|---|---:|---:|---:|---|");
        text.AppendLine(Ratio("(a)/(b)", cpu[0] / cpu[1], wall[0] / wall[1], TargetVsNaive));
        text.AppendLine(Ratio("(a)/(c)", cpu[0] / cpu[2], wall[0] / wall[2], TargetVsFloor));
        return text.ToString();
    }

    private static string Ratio(string name, double cpu, double wall, double target) =>
        Invariant($"| {name} | {cpu:0.000} | {wall:0.000} | <= {target:0.00} | {(cpu <= target ? "PASS" : "MISS")} |");

    /// <summary>The middle value (the mean of the two middle ones for an even count); the other verbs use it too.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string[] H264(string preset) =>
        ["-c:v", "libx264", "-preset", preset, "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p"];

    private static async Task<string> FfmpegVersionAsync(CancellationToken cancellationToken)
    {
        using var process = Start(["-version"], redirectOutput: true);
        var first = await process.StandardOutput.ReadLineAsync(cancellationToken) ?? "ffmpeg (unknown version)";
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return string.Join(' ', first.Split(' ').Take(3));
    }

    /// <summary>Runs one ffmpeg to the end (killed on cancellation); a failure throws with ffmpeg's stderr.</summary>
    private static async Task FfmpegAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(arguments, redirectOutput: false);
        using var registration = cancellationToken.Register(() => Kill(process));
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{await errors}");
        }
    }

    private static Process Start(IReadOnlyList<string> arguments, bool redirectOutput)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = redirectOutput, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("ffmpeg is not installed or not on PATH (apt-get install ffmpeg).", ex);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Job(string Key, string Description, bool CountsSelf, Func<string, CancellationToken, Task> RunAsync);

    /// <summary>One rung for a 1080x1920 source, with the engine's encoder settings (FfmpegArguments.Encode).</summary>
    private sealed record Rung(string Name, int Width, int Height, int VideoKbps, int AudioKbps)
    {
        public string Filter => Invariant($"fps={Fps},scale={Width}:{Height}:flags=bicubic,setsar=1,format=yuv420p");

        public string[] Audio => ["-c:a", "aac", "-b:a", Invariant($"{AudioKbps}k"), "-ac", "2", "-ar", "44100"];

        // Keyframes every 2 s (60 frames at 30 fps) and at t = 0, 2, 4...: what makes 6 s HLS segments cut exactly.
        public string[] Video(string preset) =>
        [
            .. H264(preset),
            "-maxrate", Invariant($"{VideoKbps}k"), "-bufsize", Invariant($"{VideoKbps * 2}k"),
            "-g", Invariant($"{Fps * 2}"), "-keyint_min", Invariant($"{Fps * 2}"), "-sc_threshold", "0",
            "-force_key_frames", "expr:gte(t,n_forced*2)",
        ];
    }

    internal sealed record Settings(double Seconds, int Rounds, string Preset)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--seconds", "--rounds", "--preset");
            return new Settings(
                options.Double("--seconds", 8, min: 1, max: 600),
                options.Int("--rounds", 2, min: 1),
                options.OneOf("--preset", "medium", [.. TranscodeOptions.Presets]));
        }
    }
}
