namespace Mixillo.Jobs.Events;

/// <summary>Reading the job events the store keeps (the job store writes them with each change).</summary>
public interface IJobEvents
{
    /// <summary>Events after <see cref="EventQuery.After"/>, in id order, at most <see cref="EventQuery.Limit"/>.</summary>
    Task<IReadOnlyList<JobEvent>> EventsAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>The newest event's id (of one content, or of all); 0 when there is none.</summary>
    Task<long> LastEventIdAsync(string? contentId, CancellationToken cancellationToken);

    /// <summary>Removes events older than <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteEventsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Completes when events are next committed: by this process, or on PostgreSQL by any. Take it before reading.</summary>
    Task WhenEventsCommitted();

    /// <summary>Completes when this process next commits events (to tell other processes, through Redis).</summary>
    Task WhenEventsCommittedHere();
}
