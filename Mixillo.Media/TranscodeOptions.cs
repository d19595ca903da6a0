using Mixillo.Media.Planning;

namespace Mixillo.Media;

/// <summary>What one transcode produces. The defaults are DESIGN.md's job defaults.</summary>
public sealed record TranscodeOptions
{
    public const int MaxThumbnails = 20;

    public static IReadOnlyList<string> Presets { get; } =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

    public IReadOnlyList<Rung> Ladder { get; init; } = Rung.DefaultLadder;

    public bool Hls { get; init; } = true;

    public bool Dash { get; init; }

    public int ThumbnailCount { get; init; } = 5;

    public bool Preview { get; init; } = true;

    /// <summary>The separate MP3 track. Renditions keep their audio either way.</summary>
    public bool Audio { get; init; } = true;

    /// <summary>The libx264 preset.</summary>
    public string Preset { get; init; } = "medium";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Ladder.Count == 0)
        {
            throw new ArgumentException("At least one quality is needed.");
        }

        if (ThumbnailCount is < 0 or > MaxThumbnails)
        {
            throw new ArgumentException($"Thumbnail count must be between 0 and {MaxThumbnails}.");
        }

        if (!Presets.Contains(Preset, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown preset '{Preset}'; known: {string.Join(", ", Presets)}.");
        }
    }
}
