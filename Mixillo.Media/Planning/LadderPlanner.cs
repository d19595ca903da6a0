namespace Mixillo.Media.Planning;

/// <summary>
/// Scales the asked rungs to a source: the rung is the short side, orientation is kept, nothing is
/// upscaled, dimensions are even, fps is capped, and there is always at least one rendition.
/// </summary>
public static class LadderPlanner
{
    public const double KeyframeSeconds = 2;

    /// <param name="width">Displayed width (rotation applied).</param>
    /// <param name="height">Displayed height (rotation applied).</param>
    public static IReadOnlyList<Rendition> Plan(int width, int height, double sourceFps, IReadOnlyList<Rung> ladder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        if (ladder.Count == 0)
        {
            throw new ArgumentException("The ladder is empty.", nameof(ladder));
        }

        var shortSide = Math.Min(width, height);
        var longSide = Math.Max(width, height);
        var renditions = ladder
            .Where(rung => rung.ShortSide <= shortSide)
            .OrderByDescending(rung => rung.ShortSide)
            .Select(rung => Scale(rung, rung.ShortSide, Even(longSide * (double)rung.ShortSide / shortSide), width >= height, sourceFps))
            .ToList();

        if (renditions.Count == 0)
        {
            // Smaller than every asked rung: one rendition at the source's own size, named and capped as the lowest rung.
            var lowest = ladder.MinBy(rung => rung.ShortSide)!;
            renditions.Add(Scale(lowest, Floor(shortSide), Floor(longSide), width >= height, sourceFps));
        }

        return renditions;
    }

    private static Rendition Scale(Rung rung, int shortSide, int longSide, bool landscape, double sourceFps)
    {
        var fps = sourceFps > 0 ? Math.Min(sourceFps, rung.MaxFps) : rung.MaxFps;
        return landscape
            ? new Rendition(rung, longSide, shortSide, fps)
            : new Rendition(rung, shortSide, longSide, fps);
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Round(value / 2, MidpointRounding.AwayFromZero) * 2);

    private static int Floor(int value) => Math.Max(2, value / 2 * 2);
}
