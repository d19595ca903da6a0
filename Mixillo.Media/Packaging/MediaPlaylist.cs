using System.Globalization;
using System.Text;
using Mixillo.Media.Encoding;

namespace Mixillo.Media.Packaging;

/// <summary>An HLS media (variant) playlist as ffmpeg writes it: an init segment and timed media segments.</summary>
public sealed record MediaPlaylist(string? InitSegment, IReadOnlyList<Segment> Segments, bool IsVod, bool HasEndList, int TargetDuration)
{
    public double DurationSeconds => Segments.Sum(s => s.DurationSeconds);

    /// <summary>
    /// The playlist of a stream still being made: <c>EVENT</c>, segments only ever added, and <c>EXT-X-ENDLIST</c> once
    /// <paramref name="ended"/> (the type of an EVENT playlist never changes). It asks players to start at its beginning,
    /// not at its live edge: a fresh upload is watched from the start.
    /// </summary>
    public string WriteEvent(bool ended) => Write("EVENT", ended);

    /// <summary>The finished playlist: <c>VOD</c>, with <c>EXT-X-ENDLIST</c>.</summary>
    public string WriteVod() => Write("VOD", ended: true);

    /// <summary>
    /// The target duration is the segment length the encode asks for unless a segment ran longer, so a growing playlist
    /// keeps it as the spec requires.
    /// </summary>
    private string Write(string type, bool ended)
    {
        var target = Math.Max((int)FfmpegArguments.SegmentSeconds, Segments.Count == 0 ? 0 : (int)Math.Round(Segments.Max(s => s.DurationSeconds), MidpointRounding.AwayFromZero));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-MEDIA-SEQUENCE:0\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-PLAYLIST-TYPE:{type}\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (type == "EVENT")
        {
            text.Append("#EXT-X-START:TIME-OFFSET=0\n");
        }

        if (InitSegment is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{InitSegment}\"\n");
        }

        foreach (var segment in Segments)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segment.DurationSeconds:0.000000},\n{segment.Uri}\n");
        }

        return ended ? text.Append("#EXT-X-ENDLIST\n").ToString() : text.ToString();
    }

    public static MediaPlaylist Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "#EXTM3U")
        {
            throw new FormatException("Not an HLS playlist.");
        }

        string? init = null;
        var segments = new List<Segment>();
        double? pending = null;
        var vod = false;
        var endList = false;
        var target = 0;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                pending = double.Parse(line["#EXTINF:".Length..].Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                init = Attribute(line, "URI");
            }
            else if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = int.Parse(line["#EXT-X-TARGETDURATION:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line == "#EXT-X-PLAYLIST-TYPE:VOD")
            {
                vod = true;
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                endList = true;
            }
            else if (!line.StartsWith('#'))
            {
                segments.Add(new Segment(line, pending ?? throw new FormatException($"Segment '{line}' has no #EXTINF.")));
                pending = null;
            }
        }

        return new MediaPlaylist(init, segments, vod, endList, target);
    }

    private static string? Attribute(string line, string name)
    {
        var start = line.IndexOf(name + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += name.Length + 2;
        var end = line.IndexOf('"', start);
        return end < 0 ? null : line[start..end];
    }
}

public sealed record Segment(string Uri, double DurationSeconds);
