namespace Mixillo.Api.Http;

/// <summary>Every success body: <c>{"success": true, "data": ..., "meta": ...}</c>, as the original API answered.</summary>
public sealed record Envelope<T>(T Data, object? Meta = null)
{
    public bool Success => true;
}

public static class Envelope
{
    public static Envelope<T> Of<T>(T data, object? meta = null) => new(data, meta);
}

/// <summary>Paging facts of a list.</summary>
public sealed record PageMeta(long Total, int Limit, int Skip)
{
    public bool HasMore => Skip + Limit < Total;
}
