using System.Diagnostics.Metrics;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Api.Webhooks;

/// <summary>The webhook sender's meter (<c>Mixillo.Webhooks</c>); docs/operations.md lists it.</summary>
public static class WebhookTelemetry
{
    public const string Name = "Mixillo.Webhooks";

    private static readonly Meter Meter = new(Name);

    /// <summary>Every attempt, by what came of it: delivered (2xx), rejected (another status), unreachable (no answer).</summary>
    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("mixillo.webhook.attempts", description: "Webhook delivery attempts by outcome");

    public static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram(
        "mixillo.webhook.attempt.duration", "s", "Wall time of each webhook delivery attempt", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static void Record(DeliveryAttempt attempt, TimeSpan elapsed)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", attempt.Succeeded ? "delivered" : attempt.ResponseCode is null ? "unreachable" : "rejected");
        Attempts.Add(1, outcome);
        AttemptDuration.Record(elapsed.TotalSeconds, outcome);
    }
}
