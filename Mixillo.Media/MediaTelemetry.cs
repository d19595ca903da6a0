using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mixillo.Media;

/// <summary>The engine's span source and meter, both named <c>Mixillo.Media</c>.</summary>
public static class MediaTelemetry
{
    public const string Name = "Mixillo.Media";

    /// <summary>The attribute naming an ffmpeg run's step (encode, package hls, ...), on its span and its measurements.</summary>
    public const string Step = "mixillo.ffmpeg.step";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Media seconds per wall-clock second of each ffmpeg run, by step: the encoder's headroom.</summary>
    public static readonly Histogram<double> Speed = Meter.CreateHistogram(
        "mixillo.ffmpeg.speed",
        unit: "{x}",
        description: "Speed of each successful ffmpeg run, as a multiple of realtime",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128] });

    /// <summary>Wall time of each ffmpeg run, by step and outcome (ok, or the failure code).</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "mixillo.ffmpeg.duration",
        unit: "s",
        description: "Wall time of each ffmpeg run",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });
}
