using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Webhooks;

/// <summary>
/// When a failed delivery is tried again, when it is given up, and when a failing endpoint is disabled.
/// </summary>
/// <param name="RetryBase">The first retry's delay; each next one doubles (plus up to a quarter of jitter), up to <paramref name="RetryMax"/>.</param>
/// <param name="RetryFor">How long after its first attempt (or a redelivery) a delivery is retried: the last attempt is at that moment, then it fails.</param>
/// <param name="DisableAfter">An endpoint whose every attempt failed for this long is disabled.</param>
public sealed record WebhookPolicy(TimeSpan RetryBase, TimeSpan RetryMax, TimeSpan RetryFor, TimeSpan DisableAfter)
{
    /// <summary>The attempt after failed attempt number <paramref name="attempts"/> (1 for the first), or null to give up.</summary>
    /// <param name="windowStart">When the delivery was created or redelivered.</param>
    /// <param name="jitter">A number in [0, 1).</param>
    public DateTimeOffset? NextAttempt(int attempts, DateTimeOffset windowStart, DateTimeOffset now, double jitter)
    {
        var giveUpAt = windowStart + RetryFor;
        if (now >= giveUpAt)
        {
            return null;
        }

        var next = now + Backoff.Delay(attempts - 1, jitter, RetryBase, RetryMax);
        return next < giveUpAt ? next : giveUpAt;
    }
}
