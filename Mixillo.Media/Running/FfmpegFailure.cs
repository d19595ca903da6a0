using Mixillo.Errors;

namespace Mixillo.Media.Running;

/// <summary>
/// Whose fault a failed ffmpeg is, from the tail of its stderr. A source that ffmpeg cannot decode (cut short,
/// corrupt) fails the same way on every attempt, so when a step that reads the source fails with ffmpeg's own
/// demuxer or decoder complaints, that is an input error (never retried) rather than the step's failure code.
/// Pure: the same step and stderr always give the same code.
/// </summary>
public static class FfmpegFailure
{
    // What ffmpeg's demuxers say when a file ends before the data they were promised: mov's sample tables
    // point past the end ("stream 1, offset 0xcd7c: partial file"), Matroska runs out mid-cluster.
    private static readonly string[] CutShort = ["partial file", "File ended prematurely"];

    // Decoders and demuxers refusing the bytes themselves (AVERROR_INVALIDDATA prints as the last one).
    private static readonly string[] Undecodable = ["Invalid NAL unit size", "moov atom not found", "Invalid data found when processing input"];

    public static MediaException Classify(FfmpegStep step, int exitCode, string stderr)
    {
        if (step.ReadsSource && Says(stderr, CutShort))
        {
            return new MediaException(ErrorCatalog.InputTruncated, "The video could not be decoded: the file is cut short.") { Diagnostics = stderr };
        }

        if (step.ReadsSource && Says(stderr, Undecodable))
        {
            return new MediaException(ErrorCatalog.InputMalformed, "The video could not be decoded: the file is corrupt.") { Diagnostics = stderr };
        }

        return new MediaException(step.Failure, $"ffmpeg failed with exit code {exitCode}.") { Diagnostics = stderr };
    }

    private static bool Says(string stderr, string[] phrases) => phrases.Any(phrase => stderr.Contains(phrase, StringComparison.Ordinal));
}
