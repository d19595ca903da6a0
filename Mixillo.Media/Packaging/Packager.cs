using Mixillo.Errors;
using Mixillo.Media.Encoding;
using Mixillo.Media.Planning;
using Mixillo.Media.Running;

namespace Mixillo.Media.Packaging;

/// <summary>
/// Packages encoded renditions for streaming by stream copy, never re-encoding: ffmpeg cuts fMP4 segments
/// once; the HLS master playlist and the DASH manifest both describe those same segments.
/// </summary>
public sealed class Packager(FfmpegRunner runner)
{
    /// <param name="root">The folder holding the rendition files; hls/ and dash/ are written inside it.</param>
    public async Task<IReadOnlyList<StreamVariant>> PackageAsync(
        IReadOnlyList<Rendition> renditions,
        bool withAudio,
        double durationSeconds,
        string root,
        bool hls,
        bool dash,
        Action<double>? onPercent,
        CancellationToken cancellationToken)
    {
        // Segments live under hls/ and the MPD points there; without HLS they live under dash/ itself.
        var segmentFolder = hls ? OutputLayout.HlsFolder : OutputLayout.DashFolder;
        var arguments = FfmpegArguments.Hls(
            [.. renditions.Select(r => Path.Combine(root, r.FileName))],
            withAudio,
            [.. renditions.Select(r => r.Name)],
            Path.Combine(root, segmentFolder));
        await runner.RunAsync(FfmpegStep.Package(hls, dash, renditions.Count, durationSeconds), arguments, onPercent, cancellationToken);

        var (video, audio) = DescribeAll(renditions, withAudio, root, segmentFolder);
        if (hls)
        {
            await File.WriteAllTextAsync(Path.Combine(root, OutputLayout.HlsMaster), MasterPlaylist.Write(video, audio, OutputLayout.VariantPlaylist), cancellationToken);
        }

        if (dash)
        {
            await WriteDashAsync(video, audio, root, hls, cancellationToken);
            if (!hls)
            {
                foreach (var playlist in Directory.EnumerateFiles(Path.Combine(root, OutputLayout.DashFolder), "*.m3u8", SearchOption.AllDirectories))
                {
                    File.Delete(playlist);
                }
            }
        }

        return audio is null ? video : [.. video, audio];
    }

    /// <summary>
    /// The DASH manifest alone, over HLS segments already cut under hls/ (by an earlier attempt, say): the DASH
    /// task retried without redoing HLS.
    /// </summary>
    public static async Task<IReadOnlyList<StreamVariant>> WriteDashOverHlsAsync(IReadOnlyList<Rendition> renditions, bool withAudio, string root, CancellationToken cancellationToken)
    {
        var (video, audio) = DescribeAll(renditions, withAudio, root, OutputLayout.HlsFolder);
        await WriteDashAsync(video, audio, root, hls: true, cancellationToken);
        return audio is null ? video : [.. video, audio];
    }

    private static Task WriteDashAsync(IReadOnlyList<StreamVariant> video, StreamVariant? audio, string root, bool hls, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(root, OutputLayout.DashFolder));
        var manifest = DashManifest.Write(video, audio, hls ? $"../{OutputLayout.HlsFolder}/" : "", OutputLayout.SegmentPattern);
        return File.WriteAllTextAsync(Path.Combine(root, OutputLayout.DashManifest), manifest, cancellationToken);
    }

    private static (List<StreamVariant> Video, StreamVariant? Audio) DescribeAll(IReadOnlyList<Rendition> renditions, bool withAudio, string root, string segmentFolder) =>
        (renditions.Select(r => Describe(root, segmentFolder, r.Name, r)).ToList(),
         withAudio ? Describe(root, segmentFolder, OutputLayout.HlsAudioVariant, rendition: null) : null);

    private static StreamVariant Describe(string root, string segmentFolder, string name, Rendition? rendition)
    {
        var folder = $"{segmentFolder}/{name}";
        var path = Path.Combine(root, folder);
        var playlist = MediaPlaylist.Parse(File.ReadAllText(Path.Combine(path, OutputLayout.VariantPlaylist)));
        var bitrates = playlist.Segments
            .Select(s => (Bits: new FileInfo(Path.Combine(path, s.Uri)).Length * 8, s.DurationSeconds))
            .ToList();
        var peak = bitrates.Max(b => b.DurationSeconds > 0 ? (long)(b.Bits / b.DurationSeconds) : 0);
        var average = (long)(bitrates.Sum(b => b.Bits) / Math.Max(playlist.DurationSeconds, 0.001));

        if (rendition is null)
        {
            return new StreamVariant { Name = name, Folder = folder, Playlist = playlist, Codecs = CodecStrings.AacLc, PeakBitrate = peak, AverageBitrate = average };
        }

        var init = playlist.InitSegment is null ? [] : File.ReadAllBytes(Path.Combine(path, playlist.InitSegment));
        return new StreamVariant
        {
            Name = name,
            Folder = folder,
            Playlist = playlist,
            Codecs = CodecStrings.Avc(init) ?? throw new MediaException(ErrorCatalog.PackageFailed, $"The init segment of {name} has no H.264 configuration."),
            PeakBitrate = peak,
            AverageBitrate = average,
            Width = rendition.Width,
            Height = rendition.Height,
            FramesPerSecond = rendition.FramesPerSecond,
        };
    }
}
