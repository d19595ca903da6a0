using System.Diagnostics;
using Mixillo.Jobs.Store;

namespace Mixillo.Tests.Unit;

public class WorkSignalTests
{
    [Fact]
    public async Task A_wake_up_with_nobody_waiting_is_kept_for_the_next_waiter_but_only_one()
    {
        var signal = new WorkSignal();
        for (var i = 0; i < 200; i++)
        {
            signal.Wake();
        }

        var clock = Stopwatch.StartNew();
        await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the kept wake-up was lost");

        clock.Restart();
        await signal.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), "stale wake-ups piled up");
    }

    [Fact]
    public async Task Each_waiter_gets_a_wake_up_of_its_own()
    {
        var signal = new WorkSignal();
        var waiters = Enumerable.Range(0, 3).Select(_ => signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None)).ToList();
        await Task.Delay(100);
        for (var i = 0; i < 3; i++)
        {
            signal.Wake();
        }

        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
