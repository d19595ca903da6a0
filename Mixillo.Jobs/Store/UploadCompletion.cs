namespace Mixillo.Jobs.Store;

/// <summary>Where the completion of one upload stands.</summary>
public enum CompletionState
{
    /// <summary>One caller assembles, probes and enqueues; every other caller waits for its answer.</summary>
    Completing,

    /// <summary>The upload became content with a queued job; every later caller answers them.</summary>
    Completed,

    /// <summary>The file is not a usable video; every later caller answers the same refusal without looking again.</summary>
    Rejected,
}

/// <summary>
/// The single-flight marker of one upload's <c>complete</c>, in the store so that every API instance sees it.
/// The first caller begins it and does the work; callers that come while it is <see cref="CompletionState.Completing"/>
/// wait for its answer. A completer that died leaves its marker completing: once it is older than the stale
/// limit, the next caller takes it over, and from then on the first completer can neither finish nor reject it
/// (<see cref="CompletionLostException"/>), so one upload never becomes two contents.
/// </summary>
public sealed record UploadCompletion
{
    public required string UploadId { get; init; }

    public required CompletionState State { get; init; }

    /// <summary>The call of <c>complete</c> that holds the marker (or held it last).</summary>
    public required string Completer { get; init; }

    /// <summary>When the completer began (or took over); the stale limit counts from here.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? ContentId { get; init; }

    public string? JobId { get; init; }

    /// <summary>A rejection's stable code and message, as the first caller was told them.</summary>
    public string? Code { get; init; }

    public string? Message { get; init; }

    /// <summary>True while <paramref name="completer"/> holds the marker: that call does the work.</summary>
    public bool IsHeldBy(string completer) => State == CompletionState.Completing && Completer == completer;
}

/// <summary>The marker is no longer this completer's (taken over as stale): it writes nothing and waits for the answer instead.</summary>
public sealed class CompletionLostException(UploadCompletion held)
    : InvalidOperationException($"Completer {held.Completer} no longer holds the completion of upload {held.UploadId}.")
{
    public UploadCompletion Held { get; } = held;
}
