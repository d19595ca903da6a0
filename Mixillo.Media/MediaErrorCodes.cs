namespace Mixillo.Media;

/// <summary>Stable error codes. Operators, clients and scripts match on these strings: never rename one.</summary>
public static class MediaErrorCodes
{
    public const string InputNotFound = "input_not_found";
    public const string InputEmpty = "input_empty";
    public const string InputNotVideo = "input_not_video";
    public const string InputMalformed = "input_malformed";
    public const string InputTruncated = "input_truncated";
    public const string InputTooShort = "input_too_short";
    public const string InputTooLong = "input_too_long";
    public const string InputTooLarge = "input_too_large";
    public const string InputDimensionsUnsupported = "input_dimensions_unsupported";
    public const string InputUnsupportedFormat = "input_unsupported_format";

    public const string EncodeFailed = "encode_failed";
    public const string PackageFailed = "package_failed";
    public const string EncoderStalled = "encoder_stalled";
    public const string FfmpegMissing = "ffmpeg_missing";
}
