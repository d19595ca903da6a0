namespace Mixillo.Media.Packaging;

/// <summary>RFC 6381 codec strings, as HLS CODECS and DASH @codecs want them.</summary>
public static class CodecStrings
{
    /// <summary>AAC-LC, which is all this pipeline writes.</summary>
    public const string AacLc = "mp4a.40.2";

    /// <summary>
    /// <c>avc1.PPCCLL</c> from the avcC box of an MP4 init segment: profile, constraint flags and level
    /// exactly as the encoder wrote them.
    /// </summary>
    public static string? Avc(ReadOnlySpan<byte> mp4)
    {
        var at = mp4.IndexOf("avcC"u8);
        // avcC payload: configurationVersion (1), AVCProfileIndication, profile_compatibility, AVCLevelIndication.
        if (at < 0 || at + 8 > mp4.Length || mp4[at + 4] != 1)
        {
            return null;
        }

        return $"avc1.{mp4[at + 5]:x2}{mp4[at + 6]:x2}{mp4[at + 7]:x2}";
    }
}
