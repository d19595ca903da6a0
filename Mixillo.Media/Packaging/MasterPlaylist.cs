using System.Globalization;
using System.Text;

namespace Mixillo.Media.Packaging;

/// <summary>
/// Writes the HLS master playlist: one variant per video rendition, with the shared audio as an alternate rendition group.
/// A stream still being made has no average yet (<see cref="StreamVariant.AverageBitrate"/>), and says none.
/// </summary>
public static class MasterPlaylist
{
    public const string AudioGroup = "audio";

    public static string Write(IReadOnlyList<StreamVariant> video, StreamVariant? audio, string playlistName)
    {
        var text = new StringBuilder();
        text.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (audio is not null)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{AudioGroup}\",NAME=\"{audio.Name}\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"{audio.Name}/{playlistName}\"\n");
        }

        foreach (var variant in video.OrderByDescending(v => v.PeakBitrate))
        {
            var codecs = audio is null ? variant.Codecs : $"{variant.Codecs},{audio.Codecs}";
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={variant.PeakBitrate + (audio?.PeakBitrate ?? 0)}");
            if (variant.AverageBitrate is { } average)
            {
                text.Append(CultureInfo.InvariantCulture, $",AVERAGE-BANDWIDTH={average + (audio?.AverageBitrate ?? 0)}");
            }

            text.Append(CultureInfo.InvariantCulture, $",CODECS=\"{codecs}\",RESOLUTION={variant.Width}x{variant.Height},FRAME-RATE={variant.FramesPerSecond:0.000}");
            if (audio is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $",AUDIO=\"{AudioGroup}\"");
            }

            text.Append(CultureInfo.InvariantCulture, $"\n{variant.Name}/{playlistName}\n");
        }

        return text.ToString();
    }
}
