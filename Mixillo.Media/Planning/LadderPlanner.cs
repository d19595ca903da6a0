namespace Mixillo.Media.Planning;

/// <summary>
/// Scales the asked rungs to a source: the rung is the short side, orientation is kept, nothing is
/// upscaled, dimensions are even, fps is capped, and there is always at least one rendition: a source smaller
/// than every asked rung gets one at its own size, named after what it is.
/// </summary>
public static class LadderPlanner
{
    public const double KeyframeSeconds = 2;

    // Scaling by area would cap a thumbnail-sized source at a few kb/s, starving the encoder for a saving nobody
    // sees; CRF keeps the tiniest sources below this anyway.
    private const int MinVideoKbps = 64;

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
            renditions.Add(Scale(OwnSize(Floor(shortSide), ladder), Floor(shortSide), Floor(longSide), width >= height, sourceFps));
        }

        return renditions;
    }

    /// <summary>
    /// The rung of a source smaller than every asked rung, which keeps its own size: the standard rung of that
    /// short side (240p for 240x426), else <c>source</c>, capped as the nearest rung above scaled by area (for a
    /// frame of the same shape, the square of the short sides' ratio), with that rung's audio bitrate and fps cap.
    /// A rung's name promises a size and a bitrate: 200x356 called 360p, at 360p's cap, would break both.
    /// </summary>
    private static Rung OwnSize(int shortSide, IReadOnlyList<Rung> ladder)
    {
        if (Rung.All.FirstOrDefault(rung => rung.ShortSide == shortSide) is { } standard)
        {
            return standard;
        }

        // Every asked rung is above the source, so there is always one; a standard rung between them fits closer.
        var above = Rung.All.Concat(ladder).Where(rung => rung.ShortSide > shortSide).MinBy(rung => rung.ShortSide)!;
        var area = (double)shortSide * shortSide / ((double)above.ShortSide * above.ShortSide);
        var videoKbps = Math.Max(MinVideoKbps, (int)Math.Round(above.VideoKbps * area, MidpointRounding.AwayFromZero));
        return new Rung(Rung.SourceName, shortSide, videoKbps, above.AudioKbps, above.MaxFps);
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
