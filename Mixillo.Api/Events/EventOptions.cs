namespace Mixillo.Api.Events;

/// <summary>The <c>Events</c> section: how long job events are kept, and how event streams behave.</summary>
public sealed class EventOptions
{
    public const string Section = "Events";

    /// <summary>Events older than this are removed: a stream resumed from an older Last-Event-ID starts again from the current state.</summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>An idle stream gets a comment this often, so proxies do not close it.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest an event waits for the API to look: commits in this process, and on PostgreSQL in any, wake it at
    /// once; this bounds the rest (a worker process on the same SQLite file, a lost notification).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events one stream may have waiting for a slow client; past it the stream is closed (the client resumes).</summary>
    public int ClientBuffer { get; set; } = 1000;

    public void Validate()
    {
        if (RetainFor < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"{Section}:RetainFor must be at least a minute.");
        }

        if (Heartbeat <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:Heartbeat and {Section}:PollInterval must be positive.");
        }

        if (ClientBuffer < 1)
        {
            throw new ArgumentException($"{Section}:ClientBuffer must be at least 1.");
        }
    }
}
