namespace Mixillo.Media;

/// <summary>Where a transcode is: the step and how far through it (0-100).</summary>
public sealed record MediaProgress(string Step, double Percent)
{
    public const string Probe = "probe";
    public const string Encode = "encode";
    public const string Package = "package";
    public const string Measure = "measure";
}
