using System.Data.Common;
using Dapper;

namespace Mixillo.Jobs.Store;

/// <summary>An open connection and its write transaction; disposing it rolls back what was not committed and frees both.</summary>
public sealed class WriteScope(DbConnection connection, DbTransaction transaction, IDisposable? processLock) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            processLock?.Dispose();
        }
    }
}
