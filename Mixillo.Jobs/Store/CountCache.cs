using System.Collections.Concurrent;

namespace Mixillo.Jobs.Store;

/// <summary>
/// Totals of big lists, reused for <see cref="MaxAge"/>: counting 100,000 rows is most of a list request's cost,
/// and a total that large need not be exact to the second. Totals under <see cref="Large"/> are always counted.
/// </summary>
internal sealed class CountCache(TimeProvider time)
{
    public const long Large = 10_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<JobQuery, (long Count, DateTimeOffset At)> _counts = new();

    /// <summary>The total of the jobs <paramref name="query"/>'s filters match (its order and paging do not matter).</summary>
    public async Task<long> GetAsync(JobQuery query, Func<Task<long>> count)
    {
        var key = new JobQuery { Status = query.Status, UserId = query.UserId, ContentId = query.ContentId };
        if (_counts.TryGetValue(key, out var known) && time.GetUtcNow() - known.At < MaxAge)
        {
            return known.Count;
        }

        var counted = await count();
        if (counted >= Large)
        {
            _counts[key] = (counted, time.GetUtcNow());
        }
        else
        {
            _counts.TryRemove(key, out _);
        }

        return counted;
    }
}
