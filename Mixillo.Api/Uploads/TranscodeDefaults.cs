using Mixillo.Jobs.Model;

namespace Mixillo.Api.Uploads;

/// <summary>The <c>Transcode</c> section: what an upload's job produces (HLS on, DASH off).</summary>
public sealed class TranscodeDefaults
{
    public const string Section = "Transcode";

    private static readonly JobOptions Engine = new();

    /// <summary>Comma-separated rungs, e.g. <c>720p,480p,360p</c>.</summary>
    public string Qualities { get; set; } = string.Join(',', Engine.Qualities);

    public int ThumbnailCount { get; set; } = Engine.ThumbnailCount;

    /// <summary>The x264 preset.</summary>
    public string Preset { get; set; } = Engine.Preset;

    public JobOptions ToJobOptions() => new()
    {
        Qualities = Qualities.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ThumbnailCount = ThumbnailCount,
        Preset = Preset,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the section and what the engine refused.</summary>
    public void Validate()
    {
        try
        {
            ToJobOptions().ToTranscodeOptions();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{Section} (Qualities '{Qualities}', ThumbnailCount {ThumbnailCount}, Preset '{Preset}'): {ex.Message}", ex);
        }
    }
}
