using System.Data;
using System.Data.Common;
using Dapper;

namespace Mixillo.Jobs.Store;

/// <summary>
/// An open connection and its write transaction; disposing it rolls back what was not committed and frees
/// both. When the connection broke on the way, <paramref name="onBroken"/> runs so the pool can be cleared.
/// </summary>
public sealed class WriteScope(DbConnection connection, DbTransaction transaction, IDisposable? processLock, Action? onBroken = null) : IAsyncDisposable
{
    private bool _committed;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));

    /// <summary>Runs once the transaction has committed (an in-process wake-up, say); never for one rolled back.</summary>
    public Action? Committed { get; set; }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction.CommitAsync(cancellationToken);
        _committed = true;
        Committed?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed && Connection.State != ConnectionState.Open)
            {
                onBroken?.Invoke();
            }

            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            processLock?.Dispose();
        }
    }
}
