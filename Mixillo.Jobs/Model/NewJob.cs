using Mixillo.Media.Probing;

namespace Mixillo.Jobs.Model;

/// <summary>What it takes to enqueue a transcode.</summary>
public sealed record NewJob
{
    public const int MinPriority = 1;
    public const int MaxPriority = 10;
    public const int DefaultPriority = 5;

    public required string ContentId { get; init; }

    public required string UserId { get; init; }

    public ContentInfo? Content { get; init; }

    public UserInfo? User { get; init; }

    public required SourceFile Source { get; init; }

    public JobOptions Options { get; init; } = new();

    public int Priority { get; init; } = DefaultPriority;

    /// <summary>What the enqueuer expects the job to cost, when it knows the source's duration (the worker adds one at fetch otherwise).</summary>
    public JobCost? EstimatedCost { get; init; }

    /// <summary>The source's probe, when the enqueuer made one (an upload's <c>complete</c>): the worker does not probe again.</summary>
    public SourceMetadata? Probe { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (!JobIds.IsValid(ContentId))
        {
            throw new ArgumentException("contentId must be 1-64 letters, digits, '_' or '-'.");
        }

        if (!UserIds.IsValid(UserId))
        {
            throw new ArgumentException(UserIds.Rule);
        }

        Content?.Validate();
        User?.Validate();

        if (Priority is < MinPriority or > MaxPriority)
        {
            throw new ArgumentException($"priority must be between {MinPriority} and {MaxPriority}.");
        }

        if (string.IsNullOrWhiteSpace(Source.Key))
        {
            throw new ArgumentException("the source key is required.");
        }

        Options.ToTranscodeOptions();
    }
}
