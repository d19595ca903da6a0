using System.Globalization;
using Mixillo.Errors;

namespace Mixillo.Media.Probing;

/// <summary>
/// The most media one source may turn out to hold, from what it declares and what the settings allow. Validation
/// reads the header, and a header can lie: a 10-hour file whose Matroska header says 5 s passes the duration limit.
/// So whatever reads the source (the tail read, the encode) is bounded by these, and a source that passes them holds
/// more than it declared: <c>input_too_long</c>, or <c>input_dimensions_unsupported</c> for a picture too large.
/// Pure: the same metadata and settings always give the same bounds.
/// </summary>
/// <param name="DeclaredSeconds">The duration the source declares.</param>
/// <param name="Seconds">Media time past which the source is longer than it declared.</param>
/// <param name="Frames">Video frames past which the source is denser than it declared.</param>
/// <param name="Pixels">The largest picture a decoder may allocate (<c>-max_pixels</c>).</param>
public sealed record SourceBounds(double DeclaredSeconds, double Seconds, long Frames, long Pixels)
{
    // An honest source ends within a frame or a muxer's rounding of what it declares; 2 s covers the last frame of a
    // slow slideshow, and 5 % the durations that demuxers estimate (MPEG-TS and -PS from timestamps, files without
    // an index from their bitrate). A source declaring the maximum may still run 2 s past it, no more.
    private const double MarginSeconds = 2;
    private const double MarginShare = 0.05;

    // A rate any source may have whatever it declares: a variable-rate Matroska file's rate is estimated from its
    // first frames. Frames cost only their decode past the fps filters, so this bounds the decode, not the outputs.
    private const double FramesPerSecondFloor = 60;

    // Decoders check the picture they allocate with its width padded for SIMD (to 64 in ffmpeg 5.1); the height as is.
    private const int DecoderWidthAlignment = 64;

    /// <summary>
    /// Where ffmpeg is told to stop reading (<c>-t</c>): a second past <see cref="Seconds"/>, so that even when the
    /// runner, which reads progress twice a second, notices late, the read ends there and is seen to have passed it.
    /// </summary>
    public double StopSeconds => Seconds + 1;

    public static SourceBounds For(SourceMetadata source, MediaOptions options)
    {
        var declared = source.DurationSeconds;
        var seconds = Math.Min(declared + Math.Max(MarginSeconds, declared * MarginShare), options.MaxDurationSeconds + MarginSeconds);
        var fps = Math.Max(source.Video.FramesPerSecond, FramesPerSecondFloor);
        var alignedWidth = (options.MaxLongSide + DecoderWidthAlignment - 1) / DecoderWidthAlignment * DecoderWidthAlignment;
        return new SourceBounds(declared, seconds, (long)Math.Ceiling(seconds * fps), (long)alignedWidth * options.MaxLongSide);
    }

    /// <summary>The refusal of a source that read past <see cref="Seconds"/> (or <see cref="Frames"/>): <c>input_too_long</c>.</summary>
    public MediaException TooLong(string what) => new(
        ErrorCatalog.InputTooLong,
        string.Create(CultureInfo.InvariantCulture, $"The video holds more than the {DeclaredSeconds:0.###} s it declares: {what}."));
}
