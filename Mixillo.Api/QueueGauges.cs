using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.ServiceDefaults;

namespace Mixillo.Api;

/// <summary>
/// Jobs by status as the gauge <c>mixillo.jobs</c> (meter <c>Mixillo.Api</c>), read from the store every
/// <see cref="Refresh"/> while a metrics exporter listens (never otherwise). Only the API counts (one count per
/// instance of the front door is plenty, where one per worker would scan the table fleet-wide); several API
/// instances report the same numbers, so take the maximum, not the sum.
/// </summary>
internal sealed partial class QueueGauges : BackgroundService
{
    public const string MeterName = "Mixillo.Api";

    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);

    private readonly IJobStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueGauges> _logger;
    private readonly ObservableGauge<long> _gauge;
    private QueueCounts? _counts;

    public QueueGauges(IJobStore store, TimeProvider time, IMeterFactory meters, ILogger<QueueGauges> logger)
    {
        (_store, _time, _logger) = (store, time, logger);
        _gauge = meters.Create(MeterName).CreateObservableGauge("mixillo.jobs", Observe, "{job}", "Jobs by status; queued are ready to start, delayed are backing off");
    }

    // A failed count (the store away, or not migrated yet: its health check says so) keeps the gauge's last numbers.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        HostedLoop.RunAsync(
            async cancellationToken =>
            {
                if (_gauge.Enabled)
                {
                    _counts = await _store.CountAsync(cancellationToken);
                }
            },
            Refresh,
            _time,
            ex => LogCountFailed(ex.Message),
            stoppingToken);

    private IEnumerable<Measurement<long>> Observe()
    {
        if (_counts is not { } c)
        {
            return [];
        }

        return
        [
            Of(c.Pending, "pending"), Of(c.Waiting, "queued"), Of(c.Delayed, "delayed"), Of(c.Active, "processing"),
            Of(c.Completed, "completed"), Of(c.Failed, "failed"), Of(c.Cancelled, "cancelled"),
        ];
        static Measurement<long> Of(long count, string status) => new(count, new KeyValuePair<string, object?>(PipelineTelemetry.Status, status));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue gauges not refreshed: {Reason}")]
    private partial void LogCountFailed(string reason);
}
