namespace Mixillo.Api.Http;

/// <summary>Every success body: <c>{"success": true, "data": ..., "meta"?: ..., "message"?: ...}</c>, as the original API answered.</summary>
public sealed record Envelope<T>(T Data, object? Meta = null, string? Message = null)
{
    public bool Success => true;
}

public static class Envelope
{
    public static Envelope<T> Of<T>(T data, object? meta = null) => new(data, meta);
}

/// <summary>
/// Paging facts of a list: pass <c>nextCursor</c> back as <c>cursor</c> for the page after this one. A page
/// reached by cursor has no <c>total</c> (the first page counted it).
/// </summary>
public sealed record PageMeta(long? Total, int Limit, int Skip, bool HasMore, string? NextCursor);
