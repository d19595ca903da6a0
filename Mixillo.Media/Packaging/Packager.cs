using Mixillo.Errors;
using Mixillo.Media.Encoding;
using Mixillo.Media.Planning;
using Mixillo.Media.Running;

namespace Mixillo.Media.Packaging;

/// <summary>
/// Packages encoded renditions for streaming, never re-encoding: the encode cuts the HLS fMP4 segments as it goes
/// (DASH alone has ffmpeg cut them by stream copy); the HLS master playlist and the DASH manifest both describe those
/// same segments.
/// </summary>
public sealed class Packager(FfmpegRunner runner)
{
    /// <summary>
    /// The HLS the encode cut as it went, finished: each variant's playlist (which ffmpeg ended) rewritten as VOD, then
    /// the master over them, with bit rates measured from the segments.
    /// </summary>
    /// <param name="root">The folder holding the rendition files and hls/.</param>
    public static async Task<IReadOnlyList<StreamVariant>> FinishHlsAsync(IReadOnlyList<Rendition> renditions, bool withAudio, string root, CancellationToken cancellationToken)
    {
        foreach (var name in VariantNames(renditions, withAudio))
        {
            var path = Path.Combine(root, OutputLayout.Variant(name));
            var playlist = MediaPlaylist.Parse(await File.ReadAllTextAsync(path, cancellationToken));
            if (!playlist.HasEndList || playlist.Segments.Count == 0)
            {
                throw new MediaException(ErrorCatalog.PackageFailed, $"The HLS playlist of {name} was not finished by the encode.");
            }

            // Replaced whole, by rename: the worker publishing the stream reads these playlists meanwhile.
            await File.WriteAllTextAsync(path + ".vod", playlist.WriteVod(), cancellationToken);
            File.Move(path + ".vod", path, overwrite: true);
        }

        var (video, audio) = DescribeAll(renditions, withAudio, root, OutputLayout.HlsFolder);
        await File.WriteAllTextAsync(Path.Combine(root, OutputLayout.HlsMaster), MasterPlaylist.Write(video, audio, OutputLayout.VariantPlaylist), cancellationToken);
        return audio is null ? video : [.. video, audio];
    }

    /// <summary>The HLS variants' names, the shared audio's last.</summary>
    public static IEnumerable<string> VariantNames(IReadOnlyList<Rendition> renditions, bool withAudio) =>
        withAudio ? [.. renditions.Select(r => r.Name), OutputLayout.HlsAudioVariant] : renditions.Select(r => r.Name);

    /// <summary>DASH without HLS: ffmpeg cuts the renditions into segments under dash/ by stream copy, and the manifest describes them.</summary>
    /// <param name="root">The folder holding the rendition files; dash/ is written inside it.</param>
    public async Task<IReadOnlyList<StreamVariant>> PackageDashAsync(
        IReadOnlyList<Rendition> renditions,
        bool withAudio,
        double durationSeconds,
        string root,
        Action<double>? onPercent,
        CancellationToken cancellationToken)
    {
        var arguments = FfmpegArguments.DashSegments(
            [.. renditions.Select(r => Path.Combine(root, r.FileName))],
            withAudio,
            [.. renditions.Select(r => r.Name)],
            Path.Combine(root, OutputLayout.DashFolder));
        await runner.RunAsync(FfmpegStep.PackageDash(renditions.Count, durationSeconds), arguments, onPercent, cancellationToken);

        var (video, audio) = DescribeAll(renditions, withAudio, root, OutputLayout.DashFolder);
        await WriteDashAsync(video, audio, root, hls: false, cancellationToken);
        foreach (var playlist in Directory.EnumerateFiles(Path.Combine(root, OutputLayout.DashFolder), "*.m3u8", SearchOption.AllDirectories))
        {
            File.Delete(playlist);
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
        return StreamVariant.Of(root, folder, playlist, rendition, peak, average)
            ?? throw new MediaException(ErrorCatalog.PackageFailed, $"The init segment of {name} has no H.264 configuration.");
    }
}
