using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Mixillo.Tests.Support.Otlp;

/// <summary>
/// The gRPC wire format of a unary call over HTTP/2: length-prefixed messages in the body (a compressed flag byte,
/// then a 4-byte big-endian length), the call's status in the trailers.
/// </summary>
public static class GrpcFrames
{
    public const string ContentType = "application/grpc";
    private const int Prefix = 5;

    /// <summary>
    /// The messages of a request body, unzipped where flagged (grpc-encoding gzip), joined into one: protobuf parses
    /// concatenated messages as their merge, which for an OTLP export request appends its one repeated field.
    /// A body with no message or a broken frame throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static byte[] Unframe(byte[] body)
    {
        if (body.Length == 0)
            throw Malformed(0, "no message");

        using var messages = new MemoryStream();
        for (var at = 0; at < body.Length;)
        {
            if (body.Length - at < Prefix)
                throw Malformed(at, $"{body.Length - at} bytes left, short of a {Prefix}-byte prefix");

            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at + 1, 4));
            if (length > (uint)(body.Length - at - Prefix))
                throw Malformed(at, $"length {length} past the end");

            var content = new MemoryStream(body, at + Prefix, (int)length);
            using Stream message = body[at] switch
            {
                0 => content,
                1 => new GZipStream(content, CompressionMode.Decompress),
                var flag => throw Malformed(at, $"compressed flag {flag}, neither 0 nor 1"),
            };
            message.CopyTo(messages);
            at += Prefix + (int)length;
        }

        return messages.ToArray();
    }

    /// <summary>
    /// Ends a call: without <paramref name="error"/>, one empty message and grpc-status 0; with it, no message and
    /// grpc-status 3 (INVALID_ARGUMENT) with the error, percent-encoded, as grpc-message.
    /// </summary>
    public static async Task AnswerAsync(HttpResponse response, string? error)
    {
        response.ContentType = ContentType;
        if (error is null)
            await response.Body.WriteAsync(new byte[Prefix]);
        else
            response.AppendTrailer("grpc-message", Uri.EscapeDataString(error));

        response.AppendTrailer("grpc-status", error is null ? "0" : "3");
    }

    private static InvalidDataException Malformed(int at, string why) => new($"Malformed gRPC body at byte {at}: {why}.");
}
