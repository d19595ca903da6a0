using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;

namespace Mixillo.Tests.Unit;

public class CostModelTests
{
    private static readonly CostOptions Prices = new() { PerCpuSecond = 0.001m, PerStorageGb = 1m, PerBandwidthGb = 2m };

    [Fact]
    public void Actual_cost_is_usage_times_prices()
    {
        var cost = CostModel.Actual(cpuSeconds: 100, bytesWritten: 1L << 30, bytesRead: 1L << 29, Prices);
        Assert.Equal((0.1m, 1m, 1m, 2.1m), (cost.Compute, cost.Storage, cost.Bandwidth, cost.Total));
    }

    [Fact]
    public void The_estimate_grows_with_duration_and_ladder()
    {
        var small = CostModel.Estimate(10, 1_000_000, new JobOptions { Qualities = ["360p"] }, Prices);
        var big = CostModel.Estimate(10, 1_000_000, new JobOptions(), Prices);
        var longer = CostModel.Estimate(20, 1_000_000, new JobOptions(), Prices);
        Assert.True(small.Total < big.Total && big.Total < longer.Total);
        Assert.Equal(2 * big.Compute, longer.Compute);
        Assert.Equal(2m * 2_000_000 / (1L << 30), small.Bandwidth, 6);
    }
}
