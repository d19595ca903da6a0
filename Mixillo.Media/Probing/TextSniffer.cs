namespace Mixillo.Media.Probing;

/// <summary>
/// Tells text from binary by the first bytes. ffprobe falls back to guessing by file extension, so a
/// text file named <c>.mp4</c> would otherwise be reported as a broken MP4 rather than as not a video.
/// </summary>
public static class TextSniffer
{
    public static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return false;
        }

        foreach (var b in head)
        {
            // Control characters other than tab, newline and carriage return never occur in text.
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r')
            {
                return false;
            }
        }

        return true;
    }
}
