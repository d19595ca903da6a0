namespace Mixillo.Jobs.Pipeline;

/// <summary>The <c>Cost</c> configuration section: unit prices, in whatever currency the operator bills in.</summary>
public sealed class CostOptions
{
    public const string Section = "Cost";

    public decimal PerCpuSecond { get; set; } = 0.00005m;

    /// <summary>Per GiB written to storage.</summary>
    public decimal PerStorageGb { get; set; } = 0.023m;

    /// <summary>Per GiB read from storage.</summary>
    public decimal PerBandwidthGb { get; set; } = 0.09m;

    public void Validate()
    {
        foreach (var (key, price) in new[] { (nameof(PerCpuSecond), PerCpuSecond), (nameof(PerStorageGb), PerStorageGb), (nameof(PerBandwidthGb), PerBandwidthGb) })
        {
            if (price < 0)
            {
                throw new ArgumentException($"{Section}:{key} cannot be negative.");
            }
        }
    }
}
