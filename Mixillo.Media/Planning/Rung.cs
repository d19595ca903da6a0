namespace Mixillo.Media.Planning;

/// <summary>
/// A quality preset of the ladder. The name is the short side: portrait 720p is 720x1280. A source below the
/// ladder and off these sizes gets a rung of its own, named <see cref="SourceName"/>.
/// </summary>
public sealed record Rung(string Name, int ShortSide, int VideoKbps, int AudioKbps, int MaxFps)
{
    public static readonly Rung P1080 = new("1080p", 1080, 5000, 192, 30);
    public static readonly Rung P720 = new("720p", 720, 2500, 128, 30);
    public static readonly Rung P480 = new("480p", 480, 1000, 96, 30);
    public static readonly Rung P360 = new("360p", 360, 600, 96, 30);
    public static readonly Rung P240 = new("240p", 240, 300, 64, 24);

    public static IReadOnlyList<Rung> All { get; } = [P1080, P720, P480, P360, P240];

    public static IReadOnlyList<Rung> DefaultLadder { get; } = [P720, P480, P360];

    /// <summary>
    /// The name of the rung planned for a source below the ladder and off the standard sizes: not a preset,
    /// so never a quality one can ask for.
    /// </summary>
    public const string SourceName = "source";

    public static bool TryParse(string name, out Rung rung)
    {
        rung = All.FirstOrDefault(r => string.Equals(r.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return rung is not null;
    }

    /// <summary>Parses <c>720p,480p</c>; unknown names are refused, duplicates dropped, order highest first.</summary>
    public static IReadOnlyList<Rung> ParseLadder(string text)
    {
        var rungs = new List<Rung>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParse(name, out var rung))
            {
                throw new ArgumentException($"Unknown quality '{name}'; known: {string.Join(", ", All.Select(r => r.Name))}.");
            }

            rungs.Add(rung);
        }

        if (rungs.Count == 0)
        {
            throw new ArgumentException("At least one quality is needed.");
        }

        return [.. rungs.Distinct().OrderByDescending(r => r.ShortSide)];
    }
}
