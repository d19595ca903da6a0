namespace Mixillo.Media.Planning;

/// <summary>One planned output of the ladder: a rung scaled to a source.</summary>
public sealed record Rendition(Rung Rung, int Width, int Height, double FramesPerSecond)
{
    public string Name => Rung.Name;

    public string FileName => OutputLayout.Rendition(Rung.Name);

    /// <summary>Frames between forced keyframes (every 2 s), so 6 s segments cut exactly.</summary>
    public int KeyframeInterval => Math.Max(1, (int)Math.Round(FramesPerSecond * LadderPlanner.KeyframeSeconds));
}
