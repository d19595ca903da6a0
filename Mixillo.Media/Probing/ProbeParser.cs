using System.Globalization;
using System.Text.Json;
using Mixillo.Errors;

namespace Mixillo.Media.Probing;

/// <summary>Turns ffprobe's JSON (<c>-show_format -show_streams</c>) into <see cref="SourceMetadata"/>.</summary>
public static class ProbeParser
{
    public static SourceMetadata Parse(string json, long fileSizeBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MediaException(ErrorCatalog.InputMalformed, "ffprobe returned unreadable metadata.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("format", out var format) || !format.TryGetProperty("format_name", out var formatNameElement))
            {
                throw new MediaException(ErrorCatalog.InputMalformed, "The file has no recognisable container.");
            }

            var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
            var video = streams.FirstOrDefault(IsMotionVideo);
            if (video.ValueKind == JsonValueKind.Undefined)
            {
                throw new MediaException(ErrorCatalog.InputNotVideo, "The file has no video stream.");
            }

            var audio = streams.FirstOrDefault(e => String(e, "codec_type") == "audio");
            var formatName = formatNameElement.GetString() ?? "";
            var duration = Number(format, "duration") ?? Number(video, "duration") ?? 0;
            var bitrate = (long)(Number(format, "bit_rate") ?? (duration > 0 ? fileSizeBytes * 8 / duration : 0));

            return new SourceMetadata
            {
                DurationSeconds = duration,
                StartSeconds = Number(format, "start_time") ?? 0,
                SizeBytes = fileSizeBytes,
                BitrateBps = bitrate,
                FormatName = formatName,
                Demuxer = formatName.Split(',')[0],
                Video = new VideoStreamInfo
                {
                    Index = (int)(Number(video, "index") ?? 0),
                    DurationSeconds = Number(video, "duration") is > 0 and var videoDuration ? videoDuration : null,
                    Codec = String(video, "codec_name") ?? "unknown",
                    CodedWidth = (int)(Number(video, "width") ?? 0),
                    CodedHeight = (int)(Number(video, "height") ?? 0),
                    Rotation = Rotation(video),
                    FramesPerSecond = FrameRate(video),
                    PixelFormat = String(video, "pix_fmt") ?? "unknown",
                },
                Audio = audio.ValueKind == JsonValueKind.Undefined ? null : new AudioStreamInfo
                {
                    Index = (int)(Number(audio, "index") ?? 0),
                    Codec = String(audio, "codec_name") ?? "unknown",
                    SampleRate = (int)(Number(audio, "sample_rate") ?? 0),
                    Channels = (int)(Number(audio, "channels") ?? 0),
                },
            };
        }
    }

    // Cover art inside an audio file is a one-frame "video" stream: it is not a video.
    private static bool IsMotionVideo(JsonElement stream) =>
        String(stream, "codec_type") == "video"
        && !(stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var pic) && pic.GetInt32() == 1);

    /// <summary>Rotation from the display matrix (or the legacy <c>rotate</c> tag), normalised to 0/90/180/270.</summary>
    internal static int Rotation(JsonElement video)
    {
        double? degrees = null;
        if (video.TryGetProperty("side_data_list", out var sideData))
        {
            foreach (var entry in sideData.EnumerateArray())
            {
                degrees ??= Number(entry, "rotation");
            }
        }

        if (degrees is null && video.TryGetProperty("tags", out var tags))
        {
            degrees = Number(tags, "rotate");
        }

        var quarterTurns = (int)Math.Round((degrees ?? 0) / 90.0);
        return ((quarterTurns % 4) + 4) % 4 * 90;
    }

    internal static double FrameRate(JsonElement video)
    {
        // avg_frame_rate is right for variable-rate phone video; r_frame_rate is the fallback when it is 0/0.
        var rate = Ratio(String(video, "avg_frame_rate")) ?? Ratio(String(video, "r_frame_rate"));
        return rate is > 0 and < 1000 ? rate.Value : 0;
    }

    internal static double? Ratio(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && den != 0)
        {
            return num / den;
        }

        return null;
    }

    internal static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // ffprobe writes most numbers as strings ("duration": "8.000000"); side data writes them as numbers.
    internal static double? Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }
}
