namespace Mixillo.Jobs.Events;

/// <summary>Events after <paramref name="After"/> in id order: of one content, of some types, or all.</summary>
/// <param name="Types">Null or empty: every type.</param>
public sealed record EventQuery(long After, string? ContentId = null, IReadOnlyCollection<string>? Types = null, int Limit = EventQuery.DefaultLimit)
{
    public const int DefaultLimit = 500;
}
