using System.Globalization;

namespace Mixillo.Media.Probing;

/// <summary>
/// The packets of the tail read, one ffprobe line at a time (<c>-of compact</c>:
/// <c>pts_time=4.023000|dts_time=4.023000|duration_time=1.000000</c>), kept as the one number the checks need: a
/// file whose timestamps start over is read to its end, and however many packets that is, this stays small.
/// </summary>
public sealed class TailPackets
{
    /// <summary>The latest time a packet reaches (its timestamp plus its duration); null until one with a time is read.</summary>
    public double? End { get; private set; }

    public void Feed(string line)
    {
        var fields = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var pair in line.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(field => field.Split('=', 2)))
        {
            // "N/A" where the container gives no time: left out, as if not printed.
            if (pair.Length == 2 && double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                fields[pair[0]] = value;
            }
        }

        if ((Field("pts_time") ?? Field("dts_time")) is { } time)
        {
            End = Math.Max(End ?? double.MinValue, time + (Field("duration_time") ?? 0));
        }

        double? Field(string name) => fields.TryGetValue(name, out var value) ? value : null;
    }
}
