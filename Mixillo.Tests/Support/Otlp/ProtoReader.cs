using System.Buffers.Binary;
using System.Text;

namespace Mixillo.Tests.Support.Otlp;

/// <summary>Protobuf wire types (the low three bits of a field's tag).</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// Reads one protobuf message field by field: <see cref="Next"/>, then one Read method or <see cref="Skip"/>.
/// Truncated or inconsistent input throws <see cref="InvalidDataException"/>.
/// </summary>
public sealed class ProtoReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    public int Field { get; private set; }

    public WireType WireType { get; private set; }

    public bool Next()
    {
        if (_position == data.Length)
            return false;

        var tag = ReadRawVarint();
        Field = (int)Math.Min(tag >> 3, int.MaxValue);
        WireType = (WireType)(tag & 7);
        if (Field == 0)
            throw Malformed("field number 0");

        return true;
    }

    public ulong ReadVarint()
    {
        Expect(WireType.Varint);
        return ReadRawVarint();
    }

    public ulong ReadFixed64()
    {
        Expect(WireType.Fixed64);
        return BinaryPrimitives.ReadUInt64LittleEndian(Take(8).Span);
    }

    public uint ReadFixed32()
    {
        Expect(WireType.Fixed32);
        return BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);
    }

    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadFixed64());

    public ReadOnlyMemory<byte> ReadBytes()
    {
        Expect(WireType.LengthDelimited);
        var length = ReadRawVarint();
        return length <= (ulong)(data.Length - _position) ? Take((int)length) : throw Malformed("length past the end");
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    /// <summary>Steps over the current field, whatever its wire type (a group with everything inside it).</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case WireType.Varint: ReadRawVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.LengthDelimited: ReadBytes(); break;
            case WireType.Fixed32: Take(4); break;
            case WireType.StartGroup: SkipGroup(); break;
            default: throw Malformed($"unexpected wire type {WireType} for field {Field}");
        }
    }

    private void SkipGroup()
    {
        var group = Field;
        while (Next())
        {
            if (WireType != WireType.EndGroup)
                Skip();
            else if (Field == group)
                return;
            else
                throw Malformed($"group {group} closed by {Field}");
        }

        throw Malformed($"group {group} not closed");
    }

    private void Expect(WireType expected)
    {
        if (WireType != expected)
            throw Malformed($"field {Field} has wire type {WireType}, expected {expected}");
    }

    // Not minimal-length only: the .NET exporter pads lengths to four bytes (0x94 0x82 0x80 0x00 is 276).
    private ulong ReadRawVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var next = Take(1).Span[0];
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
                return value;
        }

        throw Malformed("varint longer than 10 bytes");
    }

    private ReadOnlyMemory<byte> Take(int count)
    {
        if (count > data.Length - _position)
            throw Malformed("message truncated");

        var slice = data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private InvalidDataException Malformed(string why) => new($"Malformed protobuf at byte {_position}: {why}.");
}
