namespace Mixillo.Jobs.Store;

/// <summary>The <c>Queue</c> configuration section.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    /// <summary>A processing job whose heartbeat is older than this is stuck and is re-queued.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt, automatic or by an operator.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Job starts per second across all workers; 0 for no limit.</summary>
    public double StartRateLimit { get; set; } = 10;

    /// <summary>
    /// Running jobs per user beyond which that user's waiting jobs go after other users' jobs of the same priority
    /// (fair share); they still run when nobody else waits.
    /// </summary>
    public int UserShare { get; set; } = 2;

    /// <summary>How long an idle claimer waits between polls when no notification wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first key whose value cannot work.</summary>
    public void Validate()
    {
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= StuckAfter)
        {
            throw new ArgumentException($"{Section}:HeartbeatInterval must be positive and shorter than {Section}:StuckAfter ({StuckAfter}), not {HeartbeatInterval}.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentException($"{Section}:MaxRetries cannot be negative.");
        }

        if (UserShare < 1)
        {
            throw new ArgumentException($"{Section}:UserShare must be at least 1.");
        }

        if (StartRateLimit < 0)
        {
            throw new ArgumentException($"{Section}:StartRateLimit cannot be negative (0 is no limit).");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:PollInterval must be positive.");
        }
    }
}
