using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Unit;

public class CountCacheTests
{
    [Fact]
    public async Task A_large_total_is_reused_for_two_seconds_per_filter_and_a_small_one_is_always_counted()
    {
        var clock = new ManualClock();
        var cache = new CountCache(clock);
        var counted = 0;
        var total = 50_000L;
        Task<long> Count()
        {
            counted++;
            return Task.FromResult(total);
        }

        Assert.Equal(50_000, await cache.GetAsync(new JobQuery { Skip = 0 }, Count));
        total = 50_001;
        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(50_000, await cache.GetAsync(new JobQuery { Skip = 100, SortBy = JobSort.Priority }, Count));
        Assert.Equal(1, counted);
        Assert.Equal(50_001, await cache.GetAsync(new JobQuery { Status = JobStatus.Completed }, Count));
        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(50_001, await cache.GetAsync(new JobQuery(), Count));
        Assert.Equal(3, counted);

        total = 9_999;
        await cache.GetAsync(new JobQuery { UserId = "u" }, Count);
        await cache.GetAsync(new JobQuery { UserId = "u" }, Count);
        Assert.Equal(5, counted);
    }
}
