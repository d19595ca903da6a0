using System.Globalization;
using System.Text.Json;

namespace Mixillo.Media.Probing;

/// <summary>
/// Whether a source holds the media its container declares. A file cut short (an interrupted upload or copy)
/// can keep its header whole: an MP4 with its index first still declares every sample and its full duration,
/// so it probes clean and ffmpeg only finds the gap while encoding. The packets of the last second, read
/// without decoding (<see cref="Encoding.FfmpegArguments.TailPackets"/>), show where the media really ends.
/// Pure: the same metadata and packets always give the same verdict.
/// </summary>
public static class TruncationCheck
{
    // How far before the declared end the read starts.
    private const double TailSeconds = 1;

    // Leeway for whole files: muxers round durations, and a container need not say how long the last frame
    // lasts (Matroska without block durations), so the packets may end up to a frame before the declared end.
    private const double LeewaySeconds = 0.5;

    public static double TailStart(SourceMetadata source) => Math.Max(0, DeclaredEnd(source) - TailSeconds);

    /// <summary>Throws <c>input_truncated</c> when the packets read from <see cref="TailStart"/> end well before the declared end.</summary>
    public static void Validate(SourceMetadata source, ProbeOutput tail)
    {
        var declared = DeclaredEnd(source);
        var readable = ReadableEnd(tail.Json);
        var frame = source.Video.FramesPerSecond > 0 ? 1 / source.Video.FramesPerSecond : 1;
        if (readable is { } end && end >= declared - LeewaySeconds - frame)
        {
            return;
        }

        var where = readable is { } e ? string.Create(CultureInfo.InvariantCulture, $"its media ends at {e:0.###} s") : "no media can be read near its end";
        throw new MediaException(
            MediaErrorCodes.InputTruncated,
            string.Create(CultureInfo.InvariantCulture, $"The file is cut short: it declares {declared:0.###} s but {where}."))
        {
            Diagnostics = tail.Errors,
        };
    }

    /// <summary>The latest time a packet read reaches (its timestamp plus its duration); null when none was read.</summary>
    internal static double? ReadableEnd(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("packets", out var packets) || packets.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            double? end = null;
            foreach (var packet in packets.EnumerateArray())
            {
                if ((ProbeParser.Number(packet, "pts_time") ?? ProbeParser.Number(packet, "dts_time")) is { } time)
                {
                    end = Math.Max(end ?? double.MinValue, time + (ProbeParser.Number(packet, "duration_time") ?? 0));
                }
            }

            return end;
        }
        catch (JsonException)
        {
            // ffprobe stopped before finishing its output: nothing readable to go by.
            return null;
        }
    }

    private static double DeclaredEnd(SourceMetadata source) => source.StartSeconds + source.DurationSeconds;
}
