namespace Mixillo.Jobs.Model;

/// <summary>Exponential backoff with jitter: 2 s, 4 s, 8 s, ... each plus up to a quarter more, so retries of many jobs spread out.</summary>
public static class Backoff
{
    public static readonly TimeSpan Base = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(10);

    /// <param name="retry">0 for the first retry.</param>
    /// <param name="jitter">A number in [0, 1).</param>
    public static TimeSpan Delay(int retry, double jitter) => Delay(retry, jitter, Base, Max);

    /// <summary>The same curve from another first delay and cap (webhook retries).</summary>
    public static TimeSpan Delay(int retry, double jitter, TimeSpan first, TimeSpan max)
    {
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 20));
        return TimeSpan.FromMilliseconds(Math.Min(exponential * (1 + (0.25 * jitter)), max.TotalMilliseconds));
    }
}
