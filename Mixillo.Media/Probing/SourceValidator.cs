using System.Globalization;
using Mixillo.Errors;

namespace Mixillo.Media.Probing;

/// <summary>The limits a probed source must meet. Pure: the same metadata always gives the same verdict.</summary>
public static class SourceValidator
{
    public static void Validate(SourceMetadata source, MediaOptions options)
    {
        if (source.SizeBytes > options.MaxFileSizeBytes)
        {
            throw new MediaException(ErrorCatalog.InputTooLarge, Text($"The file is {source.SizeBytes} bytes; the limit is {options.MaxFileSizeBytes}."));
        }

        if (!options.AllowedFormatList.Contains(source.Demuxer, StringComparer.Ordinal))
        {
            throw new MediaException(ErrorCatalog.InputUnsupportedFormat, Text($"The container '{source.FormatName}' is not accepted."));
        }

        var video = source.Video;
        if (video.Width <= 0 || video.Height <= 0)
        {
            throw new MediaException(ErrorCatalog.InputMalformed, "The video stream has no frame size.");
        }

        if (Math.Min(video.Width, video.Height) < options.MinShortSide || Math.Max(video.Width, video.Height) > options.MaxLongSide)
        {
            throw new MediaException(
                ErrorCatalog.InputDimensionsUnsupported,
                Text($"The video is {video.Width}x{video.Height}; the short side must be at least {options.MinShortSide} and the long side at most {options.MaxLongSide}."));
        }

        if (source.DurationSeconds <= 0 || double.IsNaN(source.DurationSeconds))
        {
            throw new MediaException(ErrorCatalog.InputMalformed, "The video has no duration.");
        }

        if (source.DurationSeconds < options.MinDurationSeconds)
        {
            throw new MediaException(ErrorCatalog.InputTooShort, Text($"The video lasts {source.DurationSeconds:0.###} s; the minimum is {options.MinDurationSeconds} s."));
        }

        if (source.DurationSeconds > options.MaxDurationSeconds)
        {
            throw new MediaException(ErrorCatalog.InputTooLong, Text($"The video lasts {source.DurationSeconds:0.###} s; the maximum is {options.MaxDurationSeconds} s."));
        }
    }

    private static string Text(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
