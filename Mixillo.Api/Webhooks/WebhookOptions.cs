using Mixillo.Jobs.Webhooks;

namespace Mixillo.Api.Webhooks;

/// <summary>The <c>Webhooks</c> section: how deliveries are sent, retried and given up, and where they may go.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>One attempt, from connecting to the end of the (capped) response body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Lets endpoints be on loopback, private, link-local and other internal addresses (tests, local development).
    /// Off, such URLs are refused at registration and at every connection.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The first retry's delay; each next doubles (plus up to 25 % jitter) up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long a delivery is retried after its first attempt (or a redelivery): then it is failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>An endpoint whose every attempt failed for this long is disabled (the reason shows in its GET).</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The longest a new event or a due retry waits for this instance to look (commits in this process, and on PostgreSQL in any, wake the dispatcher at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries one instance sends at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Delivered and failed deliveries are removed this long after they were created.</summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A claimed delivery's lease: the attempt's time, and a margin for recording it.</summary>
    public TimeSpan Lease => Timeout + TimeSpan.FromSeconds(30);

    public WebhookPolicy Policy => new(RetryBase, RetryMax, RetryFor, DisableAfter);

    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"{Section}:Timeout must be positive and at most 5 minutes.");
        }

        if (RetryBase <= TimeSpan.Zero || RetryMax < RetryBase || RetryFor < TimeSpan.Zero || DisableAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:RetryBase and {Section}:DisableAfter must be positive, {Section}:RetryMax at least RetryBase, {Section}:RetryFor not negative.");
        }

        if (PollInterval <= TimeSpan.Zero || RetainFor < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"{Section}:PollInterval must be positive and {Section}:RetainFor at least a minute.");
        }

        if (Concurrency is < 1 or > 256)
        {
            throw new ArgumentException($"{Section}:Concurrency must be 1-256.");
        }
    }
}
