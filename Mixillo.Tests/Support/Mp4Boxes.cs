using System.Buffers.Binary;

namespace Mixillo.Tests.Support;

public static class Mp4Boxes
{
    /// <summary>The types of an MP4 file's top-level boxes, in file order (moov before mdat means faststart).</summary>
    public static IReadOnlyList<string> TopLevel(string path)
    {
        var types = new List<string>();
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        while (stream.Position + 8 <= stream.Length)
        {
            var start = stream.Position;
            stream.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            types.Add(System.Text.Encoding.ASCII.GetString(header[4..8]));
            if (size == 1)
            {
                stream.ReadExactly(header[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
            }
            else if (size == 0)
            {
                break;
            }

            stream.Position = start + size;
        }

        return types;
    }
}
