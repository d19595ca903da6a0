using Mixillo.Media.Planning;

namespace Mixillo.Media.Packaging;

/// <summary>One packaged stream (a video rendition or the shared audio), as both manifests describe it.</summary>
public sealed record StreamVariant
{
    public required string Name { get; init; }

    /// <summary>Folder of the playlist, init segment and media segments, relative to the output root.</summary>
    public required string Folder { get; init; }

    public required MediaPlaylist Playlist { get; init; }

    public required string Codecs { get; init; }

    /// <summary>Highest bits per second over any one segment.</summary>
    public required long PeakBitrate { get; init; }

    /// <summary>Bits per second over the whole stream; null while it is still being made.</summary>
    public long? AverageBitrate { get; init; }

    /// <summary>Zero for audio.</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    public double FramesPerSecond { get; init; }

    public bool IsAudio => Width == 0;

    /// <summary>
    /// The variant of <paramref name="rendition"/> (the shared audio when null) in <paramref name="folder"/> under
    /// <paramref name="root"/>, its video codec read from its init segment; null when that segment has no H.264
    /// configuration (or there is none).
    /// </summary>
    public static StreamVariant? Of(string root, string folder, MediaPlaylist playlist, Rendition? rendition, long peak, long? average)
    {
        if (rendition is null)
        {
            return new StreamVariant { Name = OutputLayout.HlsAudioVariant, Folder = folder, Playlist = playlist, Codecs = CodecStrings.AacLc, PeakBitrate = peak, AverageBitrate = average };
        }

        var init = playlist.InitSegment is null ? [] : File.ReadAllBytes(Path.Combine(root, folder, playlist.InitSegment));
        return CodecStrings.Avc(init) is { } codecs
            ? new StreamVariant
            {
                Name = rendition.Name,
                Folder = folder,
                Playlist = playlist,
                Codecs = codecs,
                PeakBitrate = peak,
                AverageBitrate = average,
                Width = rendition.Width,
                Height = rendition.Height,
                FramesPerSecond = rendition.FramesPerSecond,
            }
            : null;
    }
}
