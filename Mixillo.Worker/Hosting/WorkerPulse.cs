using System.Diagnostics.Metrics;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;

namespace Mixillo.Worker.Hosting;

/// <summary>
/// Whether this worker's loops are alive: each pass of the recovery loop, each claim and each stage heartbeat
/// beats. Stale after three heartbeat intervals without one (the store away, a loop dead). Also the gauges of
/// this worker: seconds since the last beat, stages running, slots.
/// </summary>
public sealed class WorkerPulse
{
    private readonly TimeProvider _time;
    private long _lastBeat;
    private int _busy;

    public WorkerPulse(TimeProvider time, QueueOptions queue, WorkerOptions options, IMeterFactory meters)
    {
        _time = time;
        _lastBeat = time.GetUtcNow().UtcTicks;
        StaleAfter = queue.HeartbeatInterval * 3;
        // The factory owns the meter (and disposes it with the host).
        var meter = meters.Create(PipelineTelemetry.Name);
        meter.CreateObservableGauge("mixillo.worker.heartbeat.age", () => Age.TotalSeconds, "s", "Seconds since this worker's loops last reached the store");
        meter.CreateObservableGauge("mixillo.worker.busy", () => Volatile.Read(ref _busy), "{stage}", "Stages this worker is running now");
        meter.CreateObservableGauge("mixillo.worker.slots", () => options.Concurrency, "{stage}", "Stages this worker runs at once at most");
    }

    public TimeSpan StaleAfter { get; }

    public TimeSpan Age => _time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastBeat), TimeSpan.Zero);

    public bool IsStale => Age > StaleAfter;

    public void Beat() => Interlocked.Exchange(ref _lastBeat, _time.GetUtcNow().UtcTicks);

    /// <summary>Counts a running stage until the returned handle is disposed.</summary>
    public IDisposable Busy()
    {
        Interlocked.Increment(ref _busy);
        return new BusyStage(this);
    }

    private sealed class BusyStage(WorkerPulse pulse) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref pulse._busy);
            }
        }
    }
}
