using Mixillo.Errors;
using Mixillo.Media.Encoding;
using Mixillo.Media.Packaging;
using Mixillo.Media.Probing;
using Mixillo.Media.Results;
using Mixillo.Media.Running;

namespace Mixillo.Media;

/// <summary>
/// One video in, the whole output set out: probe and validate, one decode that writes every rendition (and cuts its
/// HLS segments as it goes), the thumbnails, the preview and the MP3 (<see cref="EncodeAsync"/>), then DASH
/// (<see cref="PackageAsync"/>). The worker runs the steps separately, checkpointing between them, and publishes the
/// HLS while it is cut (<see cref="Live"/>); <see cref="TranscodeAsync"/> runs them in a scratch folder inside the
/// output folder, so a failed or cancelled run leaves nothing behind and a successful one appears by rename.
/// </summary>
public sealed class MediaEngine(MediaOptions options, TimeProvider time)
{
    private readonly Ffprobe _ffprobe = new(options);

    /// <summary>Raised with each ffmpeg's process id as it starts.</summary>
    public event Action<int>? FfmpegStarted;

    public Task<SourceMetadata> ProbeAsync(string input, CancellationToken cancellationToken) =>
        new Prober(options, _ffprobe).ProbeAsync(input, cancellationToken);

    /// <summary>The whole pipeline into <paramref name="outputFolder"/>: probe, encode, package, then the outputs appear at once.</summary>
    public async Task<TranscodeResult> TranscodeAsync(
        string input,
        string outputFolder,
        TranscodeOptions transcode,
        IProgress<MediaProgress>? progress,
        CancellationToken cancellationToken)
    {
        transcode.Validate();
        var started = time.GetTimestamp();
        progress?.Report(new MediaProgress(MediaProgress.Probe, 0));
        var source = await ProbeAsync(input, cancellationToken);
        var probeSeconds = time.GetElapsedTime(started).TotalSeconds;

        Directory.CreateDirectory(outputFolder);
        using var scratch = ScratchFolder.Create(outputFolder);
        var encoded = await EncodeAsync(input, source, transcode, scratch.Path, progress, cancellationToken);
        var packageStarted = time.GetTimestamp();
        var packaged = await PackageAsync(source, transcode, scratch.Path, progress, cancellationToken);
        var packageSeconds = time.GetElapsedTime(packageStarted).TotalSeconds;

        Publish(scratch.Path, outputFolder);
        progress?.Report(new MediaProgress(MediaProgress.Measure, 100));

        return new TranscodeResult
        {
            Source = source,
            Renditions = encoded.Renditions,
            Hls = encoded.Hls,
            Dash = packaged.Dash,
            Thumbnails = encoded.Thumbnails,
            Preview = encoded.Preview,
            Audio = encoded.Audio,
            Timings = new Timings(
                probeSeconds,
                encoded.Elapsed.TotalSeconds,
                packageSeconds,
                time.GetElapsedTime(started).TotalSeconds,
                (encoded.ProcessorTime + packaged.ProcessorTime).TotalSeconds),
        };
    }

    /// <summary>
    /// The expensive step: one decode of <paramref name="input"/> writes every rendition, the thumbnails, the
    /// preview and the MP3 into <paramref name="folder"/>, each then measured with ffprobe; with HLS, the renditions'
    /// segments too, their playlists finished as VOD and the master written once the encode ends.
    /// </summary>
    public async Task<EncodeOutput> EncodeAsync(
        string input,
        SourceMetadata source,
        TranscodeOptions transcode,
        string folder,
        IProgress<MediaProgress>? progress,
        CancellationToken cancellationToken)
    {
        var plan = EncodePlanner.Plan(source, transcode);
        Directory.CreateDirectory(Path.Combine(folder, OutputLayout.ThumbnailFolder));
        foreach (var name in plan.Hls ? Packager.VariantNames(plan.Renditions, plan.SourceHasAudio) : [])
        {
            Directory.CreateDirectory(Path.Combine(folder, OutputLayout.HlsFolder, name));
        }

        var bounds = SourceBounds.For(source, options);
        var encode = await Runner().RunAsync(
            new FfmpegStep(FfmpegStep.Encode, plan.Renditions.Count, source.DurationSeconds, ErrorCatalog.EncodeFailed) { Source = bounds },
            FfmpegArguments.Encode(plan, bounds, input, source.Demuxer, folder),
            percent => progress?.Report(new MediaProgress(MediaProgress.Encode, percent)),
            cancellationToken);

        progress?.Report(new MediaProgress(MediaProgress.Measure, 0));
        var reader = new MediaFileReader(_ffprobe);
        var renditions = new List<MediaFile>();
        foreach (var rendition in plan.Renditions)
        {
            renditions.Add(await reader.ReadAsync(folder, rendition.FileName, rendition.Name, cancellationToken));
        }

        // Thumbnails come out in frame order; when the source has fewer frames than its stated rate promised,
        // the last ones are missing and the job keeps the ones it has. None at all is a failure.
        var thumbnails = new List<Thumbnail>();
        foreach (var (frame, number) in plan.Thumbnails.Select((frame, i) => (frame, i + 1)))
        {
            var path = OutputLayout.Thumbnail(number);
            if (!File.Exists(Path.Combine(folder, path)))
            {
                break;
            }

            var image = await reader.ReadAsync(folder, path, path, cancellationToken);
            thumbnails.Add(new Thumbnail(path, frame.OffsetSeconds, image.Width ?? 0, image.Height ?? 0, image.SizeBytes));
        }

        if (thumbnails.Count == 0 && plan.Thumbnails.Count > 0)
        {
            throw new MediaException(ErrorCatalog.EncodeFailed, "ffmpeg wrote no thumbnails.");
        }

        var hls = plan.Hls ? Streams(OutputLayout.HlsMaster, await Packager.FinishHlsAsync(plan.Renditions, plan.SourceHasAudio, folder, cancellationToken), withPlaylists: true) : null;
        return new EncodeOutput(
            renditions,
            hls,
            thumbnails,
            plan.Preview is null ? null : await reader.ReadAsync(folder, OutputLayout.Preview, OutputLayout.Preview, cancellationToken),
            plan.AudioTrack ? await reader.ReadAsync(folder, OutputLayout.AudioTrack, OutputLayout.AudioTrack, cancellationToken) : null,
            encode.Elapsed,
            encode.ProcessorTime);
    }

    /// <summary>
    /// The cheap step: DASH from what <see cref="EncodeAsync"/> left in <paramref name="folder"/>. Over the HLS segments
    /// when there are (a manifest, no ffmpeg); otherwise ffmpeg cuts the renditions by stream copy. Nothing to do when
    /// DASH is not asked for.
    /// </summary>
    public async Task<PackageOutput> PackageAsync(
        SourceMetadata source,
        TranscodeOptions transcode,
        string folder,
        IProgress<MediaProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (!transcode.Dash)
        {
            return new PackageOutput(null, TimeSpan.Zero);
        }

        var plan = EncodePlanner.Plan(source, transcode);
        if (transcode.Hls)
        {
            var over = await Packager.WriteDashOverHlsAsync(plan.Renditions, plan.SourceHasAudio, folder, cancellationToken);
            return new PackageOutput(Streams(OutputLayout.DashManifest, over, withPlaylists: true), TimeSpan.Zero);
        }

        var runner = Runner();
        var cpu = TimeSpan.Zero;
        runner.Finished += run => cpu += run.ProcessorTime;
        var variants = await new Packager(runner).PackageDashAsync(
            plan.Renditions,
            plan.SourceHasAudio,
            source.DurationSeconds,
            folder,
            percent => progress?.Report(new MediaProgress(MediaProgress.Package, percent)),
            cancellationToken);
        return new PackageOutput(Streams(OutputLayout.DashManifest, variants, withPlaylists: false), cpu);
    }

    /// <summary>The HLS of an encode into <paramref name="folder"/> while it runs; null when the job asks for no HLS.</summary>
    public static LiveHls? Live(SourceMetadata source, TranscodeOptions transcode, string folder) =>
        EncodePlanner.Plan(source, transcode) is { Hls: true } plan ? new LiveHls(plan.Renditions, plan.SourceHasAudio, folder) : null;

    private FfmpegRunner Runner()
    {
        var runner = new FfmpegRunner(options, time);
        runner.Started += pid => FfmpegStarted?.Invoke(pid);
        return runner;
    }

    private static StreamOutput Streams(string manifest, IReadOnlyList<StreamVariant> variants, bool withPlaylists) =>
        new(manifest, FfmpegArguments.SegmentSeconds, [.. variants.Select(v => new StreamVariantOutput(
            v.Name,
            v.Folder,
            withPlaylists ? $"{v.Folder}/{OutputLayout.VariantPlaylist}" : null,
            v.Playlist.Segments.Count,
            v.Playlist.Segments.Max(s => s.DurationSeconds),
            v.PeakBitrate))]);

    /// <summary>
    /// Replaces whatever an earlier run left under the contract's names (and only those: other files in the
    /// folder are not ours), then moves the finished outputs in from scratch: a rename, same file system.
    /// </summary>
    private static void Publish(string scratch, string outputFolder)
    {
        foreach (var name in OutputLayout.Names)
        {
            var target = Path.Combine(outputFolder, name);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            else
            {
                File.Delete(target);
            }
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(scratch))
        {
            var target = Path.Combine(outputFolder, Path.GetFileName(entry));
            if (Directory.Exists(entry))
            {
                Directory.Move(entry, target);
            }
            else
            {
                File.Move(entry, target);
            }
        }
    }
}
