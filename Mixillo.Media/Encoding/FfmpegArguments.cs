using System.Globalization;
using Mixillo.Media.Planning;
using Mixillo.Media.Probing;

namespace Mixillo.Media.Encoding;

/// <summary>
/// ffmpeg and ffprobe command lines, as data. Every input is opened as <c>file:</c> with the file protocol
/// alone, so a name or a file's content can never make ffmpeg open a network resource or another file.
/// </summary>
public static class FfmpegArguments
{
    public const int Crf = 23;
    public const int AudioSampleRate = 44100;
    public const int Mp3Kbps = 192;
    public const double SegmentSeconds = 6;

    /// <summary>The rate control's buffer, in seconds at a rung's maximum rate: how far one stretch may run over it.</summary>
    public const int BufferSeconds = 2;

    private const string FrameCounter = "frames";

    private static readonly string[] Common = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats"];

    public static IReadOnlyList<string> Probe(string path, IEnumerable<string>? allowedFormats) =>
    [
        "-v", "error",
        "-protocol_whitelist", "file",
        .. allowedFormats is null ? [] : new[] { "-format_whitelist", string.Join(',', allowedFormats) },
        "-print_format", "json",
        "-show_format", "-show_streams",
        FileUrl(path),
    ];

    /// <summary>
    /// The packets from <paramref name="fromSeconds"/> (the demuxer seeks to the keyframe before it) to the first one at
    /// or after <paramref name="toSeconds"/> or the end of the file, read without decoding, with the probe's format and
    /// protocol limits and the demuxer the encode forces; one line a packet (<see cref="Probing.TailPackets"/>).
    /// </summary>
    public static IReadOnlyList<string> TailPackets(string path, string demuxer, IEnumerable<string> allowedFormats, double fromSeconds, double toSeconds) =>
    [
        "-v", "error",
        "-protocol_whitelist", "file",
        "-format_whitelist", string.Join(',', allowedFormats),
        "-f", demuxer,
        "-read_intervals", Invariant($"{fromSeconds:0.######}%{toSeconds:0.######}"),
        "-print_format", "compact=print_section=0",
        "-show_entries", "packet=pts_time,dts_time,duration_time",
        FileUrl(path),
    ];

    /// <summary>
    /// One process: the source is decoded once and every output of the plan is written from that decode. With HLS, each
    /// rendition's packets go both to its MP4 and to its HLS segments (<see cref="Tee"/>), so a segment exists as soon as
    /// it is encoded and nothing is cut again afterwards. The decode
    /// is bounded by what the source may hold: no picture over <see cref="SourceBounds.Pixels"/> is decoded, nothing
    /// after <see cref="SourceBounds.StopSeconds"/> is read, and the first output counts the decoded frames (the
    /// progress reports <c>frame=</c> for the first video output), so the runner sees a source denser than it declared.
    /// </summary>
    public static IReadOnlyList<string> Encode(EncodePlan plan, SourceBounds bounds, string input, string demuxer, string outputFolder)
    {
        var args = new List<string>(Common)
        {
            "-protocol_whitelist", "file", "-f", demuxer,
            "-max_pixels", bounds.Pixels.ToString(CultureInfo.InvariantCulture), "-t", Invariant($"{bounds.StopSeconds:0.###}"),
            "-i", FileUrl(input),
        };
        args.AddRange(["-filter_complex", FilterGraph(plan)]);

        // Every frame as decoded, to nowhere: passing a reference on costs next to nothing. The encoder keeps the
        // counter's microsecond time base, or its default (the frame rate's) would fold its timestamps together.
        args.AddRange(["-map", $"[{FrameCounter}]", "-fps_mode", "passthrough", "-enc_time_base:v", "1/1000000", "-f", "null", "-"]);

        for (var i = 0; i < plan.Renditions.Count; i++)
        {
            var rendition = plan.Renditions[i];
            args.AddRange(["-map", $"[v{i}]"]);
            args.AddRange(H264(plan.Preset));
            args.AddRange([
                "-maxrate", Kbps(rendition.Rung.VideoKbps), "-bufsize", Kbps(rendition.Rung.VideoKbps * BufferSeconds),
                "-g", Int(rendition.KeyframeInterval), "-keyint_min", Int(rendition.KeyframeInterval), "-sc_threshold", "0",
                "-force_key_frames", $"expr:gte(t,n_forced*{Int((int)LadderPlanner.KeyframeSeconds)})",
            ]);
            if (plan.SourceHasAudio)
            {
                args.AddRange(["-map", AudioInput(plan), "-c:a", "aac", "-b:a", Kbps(rendition.Rung.AudioKbps), "-ac", "2", "-ar", Int(AudioSampleRate)]);
            }

            args.AddRange(["-map_metadata", "-1"]);
            args.AddRange(plan.Hls
                ? ["-flags:v", "+global_header", .. plan.SourceHasAudio ? new[] { "-flags:a", "+global_header" } : [], "-f", "tee", Tee(plan, i, outputFolder)]
                : ["-movflags", "+faststart", Path.Combine(outputFolder, rendition.FileName)]);
        }

        if (plan.Thumbnails.Count > 0)
        {
            args.AddRange(["-map", "[thumbs]", "-fps_mode", "passthrough", "-q:v", "2", "-start_number", "1",
                Path.Combine(outputFolder, OutputLayout.ThumbnailFolder, "thumb_%d.jpg")]);
        }

        if (plan.Preview is not null)
        {
            args.AddRange(["-map", "[preview]", "-an", .. H264(plan.Preset), "-frames:v", Int(plan.Preview.FrameCount), "-movflags", "+faststart", "-map_metadata", "-1",
                Path.Combine(outputFolder, OutputLayout.Preview)]);
        }

        if (plan.AudioTrack)
        {
            args.AddRange(["-map", AudioInput(plan), "-vn", "-c:a", "libmp3lame", "-b:a", Kbps(Mp3Kbps), "-ar", Int(AudioSampleRate), "-ac", "2",
                "-map_metadata", "-1", Path.Combine(outputFolder, OutputLayout.AudioTrack)]);
        }

        return args;
    }

    /// <summary>
    /// The filter graph: one split of the decoded video into the frame counter, a branch per rendition, one for the
    /// thumbnails (a select that keeps only the N frames it needs) and one for the preview (trimmed, so it ends early).
    /// </summary>
    public static string FilterGraph(EncodePlan plan)
    {
        // Numbered, not timed: the source's timestamps may repeat or run back (the files the counter is for), which a
        // muxer refuses; and counted in microseconds its position never leads the real outputs' in the progress.
        var branches = new List<string> { $"settb=1/1000000,setpts=N[{FrameCounter}]" };
        for (var i = 0; i < plan.Renditions.Count; i++)
        {
            var r = plan.Renditions[i];
            branches.Add(Invariant($"fps={Fps(r.FramesPerSecond)},scale={r.Width}:{r.Height}:flags=bicubic,setsar=1,format=yuv420p[v{i}]"));
        }

        if (plan.Thumbnails.Count > 0)
        {
            // Keep only the chosen frames (by number): the branch costs a comparison per frame and N scales.
            var select = string.Join('+', plan.Thumbnails.Select(t => Invariant($"eq(n\\,{t.Frame})")));
            branches.Add(Invariant($"select='{select}',scale={plan.ThumbnailWidth}:-2,setsar=1[thumbs]"));
        }

        if (plan.Preview is { } p)
        {
            branches.Add(Invariant($"trim=start={p.StartSeconds}:duration={p.DurationSeconds},setpts=PTS-STARTPTS,fps={p.FramesPerSecond},scale={p.Width}:-2:flags=bicubic,setsar=1,format=yuv420p[preview]"));
        }

        var labels = string.Concat(Enumerable.Range(0, branches.Count).Select(i => $"[s{i}]"));
        return Invariant($"[0:{plan.VideoStream}]split={branches.Count}{labels};") + string.Join(';', branches.Select((branch, i) => $"[s{i}]{branch}"));
    }

    /// <summary>
    /// A rendition's outputs, one encode muxed twice by ffmpeg's tee: its MP4, and its video cut into fMP4 segments under
    /// an EVENT playlist that lists each segment once it is closed (the first rendition's tee also cuts the shared audio).
    /// ffmpeg ends the playlists when the encode ends; <see cref="Packaging.Packager.FinishHlsAsync"/> makes them VOD.
    /// </summary>
    private static string Tee(EncodePlan plan, int index, string outputFolder)
    {
        var rendition = plan.Renditions[index];
        var outputs = new List<string>
        {
            $"[f=mp4:movflags=+faststart]{TeeName(Path.Combine(outputFolder, rendition.FileName))}",
            HlsSlave("v", Path.Combine(outputFolder, OutputLayout.HlsFolder, rendition.Name)),
        };
        if (index == 0 && plan.SourceHasAudio)
        {
            outputs.Add(HlsSlave("a", Path.Combine(outputFolder, OutputLayout.HlsFolder, OutputLayout.HlsAudioVariant)));
        }

        return string.Join('|', outputs);

        static string HlsSlave(string streams, string folder) =>
            $"[select={streams}:f=hls:hls_time={Int((int)SegmentSeconds)}:hls_playlist_type=event:hls_segment_type=fmp4:hls_flags=independent_segments"
            + $":hls_fmp4_init_filename={OutputLayout.InitSegment}:hls_segment_filename={TeeName(TeeName(Path.Combine(folder, OutputLayout.SegmentPattern)))}]"
            + TeeName(Path.Combine(folder, OutputLayout.VariantPlaylist));
    }

    /// <summary>
    /// A name as the tee muxer reads it: the list is split at '|' and each option value is read again, both with
    /// backslash escapes, so an option's value is escaped twice and a file name once. Every character but a plain few is
    /// escaped, so a scratch folder's name cannot change the outputs.
    /// </summary>
    internal static string TeeName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '%' ? c.ToString() : "\\" + c));

    /// <summary>fMP4 segments by stream copy from the encoded renditions (DASH without HLS): one video-only variant per rendition and one shared audio variant.</summary>
    public static IReadOnlyList<string> DashSegments(IReadOnlyList<string> renditionFiles, bool withAudio, IReadOnlyList<string> variantNames, string hlsFolder)
    {
        var args = new List<string>(Common);
        foreach (var file in renditionFiles)
        {
            args.AddRange(["-protocol_whitelist", "file", "-f", "mov", "-i", FileUrl(file)]);
        }

        var streamMap = new List<string>();
        for (var i = 0; i < renditionFiles.Count; i++)
        {
            args.AddRange(["-map", $"{i}:v:0"]);
            streamMap.Add($"v:{i},name:{variantNames[i]}" + (withAudio ? ",agroup:audio" : ""));
        }

        if (withAudio)
        {
            // The audio of the first (highest) rendition serves every variant: one audio segment set, not one per rung.
            args.AddRange(["-map", "0:a:0"]);
            streamMap.Add($"a:0,name:{OutputLayout.HlsAudioVariant},agroup:audio");
        }

        args.AddRange([
            "-c", "copy", "-f", "hls",
            "-hls_time", Int((int)SegmentSeconds), "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
            "-hls_flags", "independent_segments",
            "-hls_fmp4_init_filename", OutputLayout.InitSegment,
            "-hls_segment_filename", Path.Combine(hlsFolder, "%v", OutputLayout.SegmentPattern),
            "-var_stream_map", string.Join(' ', streamMap),
            Path.Combine(hlsFolder, "%v", OutputLayout.VariantPlaylist),
        ]);
        return args;
    }

    /// <summary>
    /// A test pattern with motion (and a tone): the demo clip, test media and benchmark sources come from here, never from
    /// downloads. With <paramref name="cameraKbps"/>, grain is added and the video capped at that rate, as a camera records.
    /// </summary>
    public static IReadOnlyList<string> Synthetic(string path, string size, double fps, double seconds, bool withAudio, int? cameraKbps = null) =>
    [
        .. Common,
        "-f", "lavfi", "-i", Invariant($"testsrc2=size={size}:rate={fps}:duration={seconds}"),
        .. withAudio ? new[] { "-f", "lavfi", "-i", Invariant($"sine=frequency=440:sample_rate=48000:duration={seconds}") } : [],
        .. cameraKbps is { } kbps ? new[] { "-vf", "noise=alls=20:allf=t+u", "-b:v", Kbps(kbps), "-maxrate", Kbps(kbps), "-bufsize", Kbps(2 * kbps) } : [],
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        .. withAudio ? new[] { "-c:a", "aac", "-b:a", "128k" } : [],
        "-movflags", "+faststart", path,
    ];

    private static string AudioInput(EncodePlan plan) => Invariant($"0:{plan.AudioStream}");

    internal static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    private static string[] H264(string preset) =>
        ["-c:v", "libx264", "-preset", preset, "-crf", Int(Crf), "-profile:v", "high", "-pix_fmt", "yuv420p"];

    private static string Fps(double fps) => Math.Round(fps, 3).ToString(CultureInfo.InvariantCulture);

    private static string Kbps(int kbps) => Int(kbps) + "k";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
