using System.Text.Json;
using Mixillo.Errors;
using Mixillo.Media.Probing;

namespace Mixillo.Media.Results;

/// <summary>Measures files this pipeline wrote (so no format allowlist is needed) with ffprobe.</summary>
public sealed class MediaFileReader(Ffprobe ffprobe)
{
    public async Task<MediaFile> ReadAsync(string root, string relativePath, string name, CancellationToken cancellationToken)
    {
        var full = Path.Combine(root, relativePath);
        var output = await ffprobe.RunAsync(full, allowedFormats: null, cancellationToken);
        if (!output.Succeeded)
        {
            throw new MediaException(ErrorCatalog.EncodeFailed, $"The output '{relativePath}' is unreadable.") { Diagnostics = output.Errors };
        }

        return Parse(output.Json, relativePath, name, new FileInfo(full).Length);
    }

    internal static MediaFile Parse(string json, string relativePath, string name, long size)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var format = root.GetProperty("format");
        var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        var video = streams.FirstOrDefault(e => Text(e, "codec_type") == "video");
        var audio = streams.FirstOrDefault(e => Text(e, "codec_type") == "audio");
        var duration = Number(format, "duration");

        return new MediaFile
        {
            Name = name,
            Path = relativePath,
            SizeBytes = size,
            BitrateBps = (long)(Number(format, "bit_rate") is > 0 and var b ? b : duration > 0 ? size * 8 / duration : 0),
            DurationSeconds = duration,
            Width = video.ValueKind == JsonValueKind.Undefined ? null : (int)Number(video, "width"),
            Height = video.ValueKind == JsonValueKind.Undefined ? null : (int)Number(video, "height"),
            FramesPerSecond = video.ValueKind == JsonValueKind.Undefined ? null : ProbeParser.FrameRate(video),
            VideoCodec = video.ValueKind == JsonValueKind.Undefined ? null : Text(video, "codec_name"),
            PixelFormat = video.ValueKind == JsonValueKind.Undefined ? null : Text(video, "pix_fmt"),
            AudioCodec = audio.ValueKind == JsonValueKind.Undefined ? null : Text(audio, "codec_name"),
            SampleRate = audio.ValueKind == JsonValueKind.Undefined ? null : (int)Number(audio, "sample_rate"),
            Channels = audio.ValueKind == JsonValueKind.Undefined ? null : (int)Number(audio, "channels"),
        };
    }

    private static string? Text(JsonElement e, string name) => ProbeParser.String(e, name);

    private static double Number(JsonElement e, string name) =>
        ProbeParser.Number(e, name) ?? 0;
}
