using System.Data.Common;
using Dapper;
using Npgsql;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The distributed store: claims with <c>FOR UPDATE SKIP LOCKED</c>, and LISTEN/NOTIFY so an idle claimer on
/// any machine wakes as soon as work is queued (polling remains the fallback if a notification is lost).
/// </summary>
public sealed class PostgresJobStore : SqlJobStore
{
    public const string Channel = "mixillo_jobs";

    // Serialises schema migrations of instances starting together (an arbitrary constant key).
    private const long MigrationLockKey = 0x6D69_7869_6C6C_6FL;

    // The space of the per-content create locks: two-int keys, which never meet the one-bigint migration key.
    private const int ContentLockSpace = 0x6D78_6301;

    /// <summary>The statements each connection keeps prepared: the store runs a few dozen distinct ones.</summary>
    private const int AutoPrepared = 64;

    private readonly NpgsqlDataSource _dataSource;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _listenerLock = new();
    private Task? _listener;

    public PostgresJobStore(string connectionString, QueueOptions options, TimeProvider time)
        : base(options, time, new WorkSignal())
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Detect a dead server on idle connections (the listener's above all).
        if (builder.KeepAlive == 0)
        {
            builder.KeepAlive = 30;
        }

        // Prepare the statements each connection runs often: the claim's subqueries took longer to plan than to run
        // (docs/benchmarks.md, "Fair-share claim"). Set in the connection string to choose otherwise (0 turns it off).
        if (!connectionString.Replace(" ", "").Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = AutoPrepared;
        }

        _dataSource = NpgsqlDataSource.Create(builder);
    }

    protected override string LockRow => " FOR UPDATE";

    protected override string LockNextFree => " FOR UPDATE SKIP LOCKED";

    protected override string IsOneOf(string column, string parameter) => $"{column} = ANY(@{parameter})";

    protected override string ActualCostOfDocument => "CAST(CAST(document AS jsonb) #>> '{actualCost,total}' AS DOUBLE PRECISION)";

    // Held until the migration transaction ends, so instances starting together migrate one after another.
    protected override Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken) =>
        scope.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, cancellationToken);

    // Held until the create commits: a second create of the content waits, then finds the first one's row.
    protected override Task LockContentAsync(WriteScope scope, string contentId, CancellationToken cancellationToken) =>
        scope.ExecuteAsync("SELECT pg_advisory_xact_lock(@space, hashtext(@contentId))", new { space = ContentLockSpace, contentId }, cancellationToken);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return new WriteScope(connection, await connection.BeginTransactionAsync(cancellationToken), processLock: null, ForgetConnections);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override void ForgetConnections() => _dataSource.Clear();

    // Delivered at commit, to every listening store, this process's included.
    protected override Task AnnounceWorkAsync(WriteScope scope, CancellationToken cancellationToken) =>
        scope.ExecuteAsync("SELECT pg_notify(@channel, '')", new { channel = Channel }, cancellationToken);

    public override Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        lock (_listenerLock)
        {
            _listener ??= Task.Run(ListenAsync, CancellationToken.None);
        }

        return base.WaitForWorkAsync(maxWait, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_listener is { } listener)
        {
            await listener;
        }

        await _dataSource.DisposeAsync();
        _stopping.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Holds one connection that LISTENs; on any failure (a restarted server) it reconnects.</summary>
    private async Task ListenAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => WakeOne();
                await connection.ExecuteAsync(new CommandDefinition($"LISTEN {Channel}", cancellationToken: stopping));
                // Work queued while no one listened announced itself to nobody: look once.
                WakeOne();
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The server went away: other pooled connections are dead too.
                ForgetConnections();
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), Time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
