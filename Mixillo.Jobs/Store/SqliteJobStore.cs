using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Safe for one process with many threads: writers take a
/// process-wide lock per file (and BEGIN IMMEDIATE with a busy timeout guards against other processes), readers
/// run beside them. Claimers are woken in-process when work is queued.
/// </summary>
public sealed class SqliteJobStore : SqlJobStore
{
    private const int BusyTimeoutMs = 30_000;
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteLocks = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, WorkSignal> Signals = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock;

    static SqliteJobStore() => SQLitePCL.Batteries_V2.Init();

    public SqliteJobStore(string connectionString, QueueOptions options, TimeProvider time)
        : base(options, time, Signals.GetOrAdd(FilePath(connectionString), _ => new WorkSignal()))
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { DataSource = FilePath(connectionString), Pooling = true };
        _connectionString = builder.ToString();
        _writeLock = WriteLocks.GetOrAdd(builder.DataSource, _ => new SemaphoreSlim(1, 1));
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
    }

    /// <summary>The database file, absolute; an in-memory database is refused (it would lose the jobs).</summary>
    private static string FilePath(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException("The SQLite job store needs a file (Data Source=path/to/mixillo.db); an in-memory database would be lost.");
        }

        return Path.GetFullPath(builder.DataSource);
    }

    protected override string LockRow => "";

    protected override string LockNextFree => "";

    protected override string IsOneOf(string column, string parameter) => $"{column} IN @{parameter}";

    protected override string ActualCostOfDocument => "json_extract(document, '$.actualCost.total')";

    protected override string EventId => "INTEGER PRIMARY KEY AUTOINCREMENT";

    // Writers take turns (one write transaction at a time): every event without a position is this transaction's, and
    // its id is the position (AUTOINCREMENT never gives an id twice).
    protected override string AfterEventsInserted => "UPDATE job_events SET position = id WHERE position IS NULL";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            // WAL is a property of the file: set once, kept by every later connection.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL", cancellationToken: cancellationToken));
        }

        await base.InitializeAsync(cancellationToken);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString) { DefaultTimeout = BusyTimeoutMs / 1000 };
        await connection.OpenAsync(cancellationToken);
        // Per connection: wait for another process's writer instead of failing; full sync so a commit survives a crash.
        await connection.ExecuteAsync(new CommandDefinition($"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA synchronous=FULL", cancellationToken: cancellationToken));
        return connection;
    }

    protected override async Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var connection = (SqliteConnection)await OpenAsync(cancellationToken);
            return new WriteScope(connection, connection.BeginTransaction(deferred: false), new Releaser(_writeLock));
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
    }

    protected override void AfterCommitOfWork() => WakeOne();

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
