using System.Globalization;

namespace Mixillo.Media.Probing;

/// <summary>
/// The most media one source may turn out to hold, from what it declares and what the settings allow. Validation
/// reads the header, and a header can lie: a 10-hour file whose Matroska header says 5 s passes the duration limit.
/// So whatever reads the source is bounded by these, and a source that passes them holds more than it declared:
/// <c>input_too_long</c>. Pure: the same metadata and settings always give the same bounds.
/// </summary>
/// <param name="DeclaredSeconds">The duration the source declares.</param>
/// <param name="Seconds">Media time past which the source is longer than it declared.</param>
public sealed record SourceBounds(double DeclaredSeconds, double Seconds)
{
    // An honest source ends within a frame or a muxer's rounding of what it declares; 2 s covers the last frame of a
    // slow slideshow, and 5 % the durations that demuxers estimate (MPEG-TS and -PS from timestamps, files without
    // an index from their bitrate). A source declaring the maximum may still run 2 s past it, no more.
    private const double MarginSeconds = 2;
    private const double MarginShare = 0.05;

    /// <summary>Where a read of the source stops: a second past <see cref="Seconds"/>, so that a source that goes on is seen to pass it.</summary>
    public double StopSeconds => Seconds + 1;

    public static SourceBounds For(SourceMetadata source, MediaOptions options)
    {
        var declared = source.DurationSeconds;
        return new SourceBounds(declared, Math.Min(declared + Math.Max(MarginSeconds, declared * MarginShare), options.MaxDurationSeconds + MarginSeconds));
    }

    /// <summary>The refusal of a source that read past <see cref="Seconds"/>: <c>input_too_long</c>.</summary>
    public MediaException TooLong(string what) => new(
        MediaErrorCodes.InputTooLong,
        string.Create(CultureInfo.InvariantCulture, $"The video holds more than the {DeclaredSeconds:0.###} s it declares: {what}."));
}
