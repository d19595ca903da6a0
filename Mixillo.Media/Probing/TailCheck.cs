using System.Globalization;
using Mixillo.Errors;

namespace Mixillo.Media.Probing;

/// <summary>
/// Whether a source holds the media its container declares: no less, no more. A file cut short (an interrupted
/// upload or copy) can keep its header whole: an MP4 with its index first still declares every sample and its full
/// duration, so it probes clean and ffmpeg only finds the gap while encoding. A file can also hold more than its
/// header says (a Matroska Duration rewritten to pass the limit). The packets around the declared end, read without
/// decoding (<see cref="Encoding.FfmpegArguments.TailPackets"/>) from a second before it to a second past what the
/// source may hold (<see cref="SourceBounds.StopSeconds"/>), show where the media really ends. Pure: the same metadata
/// and packets always give the same verdict.
/// </summary>
public static class TailCheck
{
    // How far before the declared end the read starts.
    private const double TailSeconds = 1;

    // Leeway for whole files: muxers round durations, and a container need not say how long the last frame
    // lasts (Matroska without block durations), so the packets may end up to a frame before the declared end.
    private const double LeewaySeconds = 0.5;

    public static double TailStart(SourceMetadata source) => Math.Max(0, DeclaredEnd(source) - TailSeconds);

    /// <summary>Where the read stops: no packet at or after it is read, so the read is bounded whatever the file holds.</summary>
    public static double TailEnd(SourceMetadata source, SourceBounds bounds) => source.StartSeconds + bounds.StopSeconds;

    /// <summary>True once a packet ends past <see cref="SourceBounds.Seconds"/>: the rest of the read cannot change the verdict.</summary>
    public static bool Overran(SourceMetadata source, SourceBounds bounds, TailPackets tail) =>
        tail.End > source.StartSeconds + bounds.Seconds;

    /// <summary>
    /// Throws <c>input_too_long</c> when the packets go on past <see cref="SourceBounds.Seconds"/>, and
    /// <c>input_truncated</c> when they end well before the declared end.
    /// </summary>
    public static void Validate(SourceMetadata source, SourceBounds bounds, TailPackets tail, string errors)
    {
        if (Overran(source, bounds, tail))
        {
            throw bounds.TooLong(Text($"its packets go on past {bounds.Seconds:0.###} s"));
        }

        var declared = DeclaredEnd(source);
        var frame = source.Video.FramesPerSecond > 0 ? 1 / source.Video.FramesPerSecond : 1;
        if (tail.End is { } end && end >= declared - LeewaySeconds - frame)
        {
            return;
        }

        var where = tail.End is { } e ? Text($"its media ends at {e:0.###} s") : "no media can be read near its end";
        throw new MediaException(ErrorCatalog.InputTruncated, Text($"The file is cut short: it declares {declared:0.###} s but {where}."))
        {
            Diagnostics = errors,
        };
    }

    private static double DeclaredEnd(SourceMetadata source) => source.StartSeconds + source.DurationSeconds;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
