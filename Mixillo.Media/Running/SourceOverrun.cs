using System.Globalization;
using Mixillo.Errors;
using Mixillo.Media.Probing;

namespace Mixillo.Media.Running;

/// <summary>
/// Signs, while ffmpeg decodes a source, that the source holds more than it declared (<see cref="SourceBounds"/>):
/// its position passes the declared duration by the margin, it has more frames than that time can hold, or a decoder
/// met a picture larger than any the settings allow. The runner stops ffmpeg at the first sign: what is left of such
/// a source is not worth decoding, and retrying cannot change it. Pure.
/// </summary>
public static class SourceOverrun
{
    // What libavutil says (through the decoder) when a picture is larger than -max_pixels.
    private const string PictureTooLarge = "exceeds specified max pixel count";

    /// <summary>The refusal once the progress so far passes the bounds; null while it is within them.</summary>
    public static MediaException? Check(SourceBounds bounds, ProgressParser progress)
    {
        if (progress.Seconds > bounds.Seconds)
        {
            return bounds.TooLong(Text($"ffmpeg read on past {bounds.Seconds:0.###} s"));
        }

        return progress.Frames > bounds.Frames ? bounds.TooLong(Text($"ffmpeg read more than {bounds.Frames} frames")) : null;
    }

    /// <summary>The refusal when ffmpeg's stderr line says a picture was too large; null otherwise.</summary>
    public static MediaException? Check(string stderrLine) =>
        stderrLine.Contains(PictureTooLarge, StringComparison.Ordinal)
            ? new MediaException(ErrorCatalog.InputDimensionsUnsupported, "The video's picture grows mid-stream past the largest size allowed.") { Diagnostics = stderrLine }
            : null;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
