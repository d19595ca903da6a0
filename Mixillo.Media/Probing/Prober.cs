using Mixillo.Errors;
using Mixillo.Media.Encoding;

namespace Mixillo.Media.Probing;

/// <summary>Probes and validates a source: file protocol only, allowlisted demuxers only.</summary>
public sealed class Prober(MediaOptions options, Ffprobe ffprobe)
{
    private const int SniffBytes = 4096;

    /// <summary>Throws <see cref="MediaException"/> with an input_* code when the file is not a usable video.</summary>
    public async Task<SourceMetadata> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new MediaException(ErrorCatalog.InputNotFound, $"No file at '{path}'.");
        }

        if (file.Length == 0)
        {
            throw new MediaException(ErrorCatalog.InputEmpty, "The file is empty.");
        }

        if (file.Length > options.MaxFileSizeBytes)
        {
            throw new MediaException(ErrorCatalog.InputTooLarge, $"The file is {file.Length} bytes; the limit is {options.MaxFileSizeBytes}.");
        }

        var output = await ffprobe.RunAsync(file.FullName, options.AllowedFormatList, cancellationToken);
        if (!output.Succeeded)
        {
            throw Failure(file.FullName, output.Errors);
        }

        var metadata = ProbeParser.Parse(output.Json, file.Length);
        SourceValidator.Validate(metadata, options);

        // A header can declare media the file no longer holds (cut short), or less than it holds: its last second
        // must be there, and nothing much after it.
        var bounds = SourceBounds.For(metadata, options);
        var tail = new TailPackets();
        var errors = await ffprobe.ReadLinesAsync(
            FfmpegArguments.TailPackets(file.FullName, metadata.Demuxer, options.AllowedFormatList, TailCheck.TailStart(metadata), TailCheck.TailEnd(metadata, bounds)),
            line =>
            {
                tail.Feed(line);
                return !TailCheck.Overran(metadata, bounds, tail);
            },
            cancellationToken);
        TailCheck.Validate(metadata, bounds, tail, errors);
        return metadata;
    }

    private static MediaException Failure(string path, string errors)
    {
        if (errors.Contains("not on whitelist", StringComparison.Ordinal))
        {
            return new MediaException(
                ErrorCatalog.InputUnsupportedFormat,
                "The file is a kind of container that is not accepted (playlists, concat lists and images are refused).") { Diagnostics = errors };
        }

        var head = new byte[SniffBytes];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, SniffBytes, throwOnEndOfStream: false);
        }

        return TextSniffer.LooksLikeText(head.AsSpan(0, read))
            ? new MediaException(ErrorCatalog.InputNotVideo, "The file is text, not a video.") { Diagnostics = errors }
            : new MediaException(ErrorCatalog.InputMalformed, "The file could not be read as a video (truncated or corrupt).") { Diagnostics = errors };
    }
}
