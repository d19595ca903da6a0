using System.Globalization;

namespace Mixillo.Media.Running;

/// <summary>
/// Reads ffmpeg's <c>-progress</c> stream: blocks of <c>key=value</c> lines, each block closed by
/// <c>progress=continue</c> or <c>progress=end</c>. Feed it lines; it says when a block closes.
/// </summary>
public sealed class ProgressParser(double expectedSeconds)
{
    private double _blockSeconds;
    private long _blockBytes;
    private long _blockFrames;

    /// <summary>Media time written so far, in seconds, as of the last closed block.</summary>
    public double Seconds { get; private set; }

    /// <summary>Output bytes so far, as of the last closed block.</summary>
    public long Bytes { get; private set; }

    /// <summary>Frames written to the first video output so far, as of the last closed block.</summary>
    public long Frames { get; private set; }

    /// <summary>Encode speed as a multiple of realtime, as ffmpeg reports it.</summary>
    public double? Speed { get; private set; }

    public bool Ended { get; private set; }

    /// <summary>0-100; 100 only once ffmpeg says it has ended.</summary>
    public double Percent => Ended ? 100 : expectedSeconds <= 0 ? 0 : Math.Clamp(Seconds / expectedSeconds * 100, 0, 99.9);

    /// <summary>Takes one line; returns true when it closed a block in which time, bytes or frames moved on.</summary>
    public bool Feed(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return false;
        }

        var key = line.AsSpan(0, eq).Trim();
        var value = line.AsSpan(eq + 1).Trim();
        switch (key)
        {
            // out_time_us is microseconds (out_time_ms is too, despite its name); "N/A" before the first frame.
            case "out_time_us" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var us) && us >= 0:
                _blockSeconds = us / 1_000_000.0;
                break;
            case "total_size" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes):
                _blockBytes = bytes;
                break;
            case "frame" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var frames):
                _blockFrames = frames;
                break;
            case "speed" when value.EndsWith("x") && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var speed):
                Speed = speed;
                break;
            case "progress":
                var moved = _blockSeconds > Seconds || _blockBytes > Bytes || _blockFrames > Frames || value.SequenceEqual("end");
                Seconds = Math.Max(Seconds, _blockSeconds);
                Bytes = Math.Max(Bytes, _blockBytes);
                Frames = Math.Max(Frames, _blockFrames);
                Ended |= value.SequenceEqual("end");
                return moved;
        }

        return false;
    }
}
