using Mixillo.Media.Encoding;
using Mixillo.Media.Planning;

namespace Mixillo.Media.Packaging;

/// <summary>
/// The HLS an encode is cutting, as far as it has gone. ffmpeg lists a segment in its playlist once the segment is
/// closed, so what a playlist lists (and is there) is final and may be published; the playlists players get are written
/// here from those segments, growing (<c>EVENT</c>), and the master once every variant has its first segment.
/// </summary>
/// <param name="root">The folder the encode writes into; hls/ is inside it.</param>
public sealed class LiveHls(IReadOnlyList<Rendition> renditions, bool withAudio, string root)
{
    /// <summary>Each variant as far as it is cut: its folder (relative to the root) and its finished segments.</summary>
    public IReadOnlyList<LiveVariant> Read() =>
        [.. Packager.VariantNames(renditions, withAudio).Select(name => new LiveVariant($"{OutputLayout.HlsFolder}/{name}", Finished(name)))];

    /// <summary>
    /// The master over every variant once each has its init segment and first segment (codecs come from the init
    /// segments); null before. Nothing is measured yet, so a variant's bandwidth is the most its rate control lets
    /// through in one segment: the rung's maximum rate, plus its buffer spent in that segment.
    /// </summary>
    public string? Master(IReadOnlyList<LiveVariant> variants)
    {
        if (variants.Any(v => v.Playlist.InitSegment is null || v.Playlist.Segments.Count == 0))
        {
            return null;
        }

        var video = renditions.Select((rendition, i) => StreamVariant.Of(root, variants[i].Folder, variants[i].Playlist, rendition, Peak(rendition.Rung.VideoKbps), average: null)).ToList();
        if (video.Contains(null))
        {
            return null;
        }

        var audio = withAudio ? StreamVariant.Of(root, variants[^1].Folder, variants[^1].Playlist, rendition: null, renditions[0].Rung.AudioKbps * 1000L, average: null) : null;
        return MasterPlaylist.Write([.. video.OfType<StreamVariant>()], audio, OutputLayout.VariantPlaylist);
    }

    private static long Peak(int kbps) =>
        (long)(kbps * 1000L * (FfmpegArguments.SegmentSeconds + FfmpegArguments.BufferSeconds) / FfmpegArguments.SegmentSeconds);

    /// <summary>
    /// The segments ffmpeg's playlist lists, up to the first that is not there. A playlist caught while ffmpeg writes it
    /// may be cut short, which only drops its last entries until the next read; one not written yet lists nothing.
    /// </summary>
    private MediaPlaylist Finished(string name)
    {
        var folder = Path.Combine(root, OutputLayout.HlsFolder, name);
        MediaPlaylist written;
        try
        {
            written = MediaPlaylist.Parse(File.ReadAllText(Path.Combine(folder, OutputLayout.VariantPlaylist)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            return new MediaPlaylist(null, [], IsVod: false, HasEndList: false, (int)FfmpegArguments.SegmentSeconds);
        }

        var init = written.InitSegment is { } initName && File.Exists(Path.Combine(folder, initName)) ? initName : null;
        var segments = init is null ? [] : written.Segments.TakeWhile(s => File.Exists(Path.Combine(folder, s.Uri))).ToList();
        return written with { InitSegment = init, Segments = segments, HasEndList = false };
    }
}

/// <summary>One variant of a stream still being cut: its folder, relative to the output root, and its finished segments.</summary>
public sealed record LiveVariant(string Folder, MediaPlaylist Playlist);
