using Mixillo.Media.Encoding;
using Mixillo.Media.Packaging;
using Mixillo.Media.Probing;
using Mixillo.Media.Results;
using Mixillo.Media.Running;

namespace Mixillo.Media;

/// <summary>
/// One video in, the whole output set out: probe and validate, one decode that writes every rendition,
/// the thumbnails, the preview and the MP3, then HLS/DASH packaging by stream copy. Work happens in a
/// scratch folder inside the output folder, so a failed or cancelled run leaves nothing behind and a
/// successful one appears by rename.
/// </summary>
public sealed class MediaEngine(MediaOptions options, TimeProvider time)
{
    private readonly Ffprobe _ffprobe = new(options);

    /// <summary>Raised with each ffmpeg's process id as it starts.</summary>
    public event Action<int>? FfmpegStarted;

    public Task<SourceMetadata> ProbeAsync(string input, CancellationToken cancellationToken) =>
        new Prober(options, _ffprobe).ProbeAsync(input, cancellationToken);

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
        var runner = new FfmpegRunner(options, time);
        runner.Started += pid => FfmpegStarted?.Invoke(pid);

        var plan = EncodePlanner.Plan(source, transcode);
        Directory.CreateDirectory(Path.Combine(scratch.Path, OutputLayout.ThumbnailFolder));
        var encodeStarted = time.GetTimestamp();
        var encode = await runner.RunAsync(
            FfmpegArguments.Encode(plan, input, source.Demuxer, scratch.Path),
            source.DurationSeconds,
            MediaErrorCodes.EncodeFailed,
            percent => progress?.Report(new MediaProgress(MediaProgress.Encode, percent)),
            cancellationToken);
        var encodeSeconds = time.GetElapsedTime(encodeStarted).TotalSeconds;

        var packageStarted = time.GetTimestamp();
        IReadOnlyList<StreamVariant> variants = [];
        var cpu = encode.ProcessorTime;
        if (transcode.Hls || transcode.Dash)
        {
            runner.Finished += run => cpu += run.ProcessorTime;
            variants = await new Packager(runner).PackageAsync(
                plan.Renditions,
                plan.SourceHasAudio,
                source.DurationSeconds,
                scratch.Path,
                transcode.Hls,
                transcode.Dash,
                percent => progress?.Report(new MediaProgress(MediaProgress.Package, percent)),
                cancellationToken);
        }

        var packageSeconds = time.GetElapsedTime(packageStarted).TotalSeconds;

        progress?.Report(new MediaProgress(MediaProgress.Measure, 0));
        var reader = new MediaFileReader(_ffprobe);
        var renditions = new List<MediaFile>();
        foreach (var rendition in plan.Renditions)
        {
            renditions.Add(await reader.ReadAsync(scratch.Path, rendition.FileName, rendition.Name, cancellationToken));
        }

        // Thumbnails come out in frame order; when the source has fewer frames than its stated rate promised,
        // the last ones are missing and the job keeps the ones it has. None at all is a failure.
        var thumbnails = new List<Thumbnail>();
        foreach (var (frame, number) in plan.Thumbnails.Select((frame, i) => (frame, i + 1)))
        {
            var path = OutputLayout.Thumbnail(number);
            if (!File.Exists(Path.Combine(scratch.Path, path)))
            {
                break;
            }

            var image = await reader.ReadAsync(scratch.Path, path, path, cancellationToken);
            thumbnails.Add(new Thumbnail(path, frame.OffsetSeconds, image.Width ?? 0, image.Height ?? 0, image.SizeBytes));
        }

        if (thumbnails.Count == 0 && plan.Thumbnails.Count > 0)
        {
            throw new MediaException(MediaErrorCodes.EncodeFailed, "ffmpeg wrote no thumbnails.");
        }

        var preview = plan.Preview is null ? null : await reader.ReadAsync(scratch.Path, OutputLayout.Preview, OutputLayout.Preview, cancellationToken);
        var audio = plan.AudioTrack ? await reader.ReadAsync(scratch.Path, OutputLayout.AudioTrack, OutputLayout.AudioTrack, cancellationToken) : null;

        Publish(scratch.Path, outputFolder);
        progress?.Report(new MediaProgress(MediaProgress.Measure, 100));

        return new TranscodeResult
        {
            Source = source,
            Renditions = renditions,
            Hls = transcode.Hls ? Streams(OutputLayout.HlsMaster, variants, withPlaylists: true) : null,
            Dash = transcode.Dash ? Streams(OutputLayout.DashManifest, variants, withPlaylists: transcode.Hls) : null,
            Thumbnails = thumbnails,
            Preview = preview,
            Audio = audio,
            Timings = new Timings(probeSeconds, encodeSeconds, packageSeconds, time.GetElapsedTime(started).TotalSeconds, cpu.TotalSeconds),
        };
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
