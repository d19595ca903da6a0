using System.Buffers.Binary;

namespace Mixillo.Tests.Support;

public static class Matroska
{
    // The Info element's Duration: ID 0x4489, size 8 (a big-endian double, in TimecodeScale units: ffmpeg's are ms).
    private static readonly byte[] DurationElement = [0x44, 0x89, 0x88];

    // Info comes before the first Cluster; the media after it may hold the same bytes by chance.
    private static readonly byte[] ClusterElement = [0x1F, 0x43, 0xB6, 0x75];

    /// <summary>The file with its segment Duration replaced; its media untouched. The file must be ffmpeg's (ms ticks, one Duration).</summary>
    public static byte[] WithDuration(byte[] file, TimeSpan duration)
    {
        var header = file.AsSpan(0, file.AsSpan().IndexOf(ClusterElement));
        var at = header.IndexOf(DurationElement);
        if (at < 0 || header[(at + 1)..].IndexOf(DurationElement) >= 0)
        {
            throw new InvalidOperationException("Expected exactly one 8-byte Duration element.");
        }

        var patched = (byte[])file.Clone();
        BinaryPrimitives.WriteDoubleBigEndian(patched.AsSpan(at + DurationElement.Length, 8), duration.TotalMilliseconds);
        return patched;
    }
}
