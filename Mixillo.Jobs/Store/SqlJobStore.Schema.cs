using Dapper;

namespace Mixillo.Jobs.Store;

/// <summary>
/// The schema migrator: runs the migrations the database has not seen yet, in one transaction.
/// </summary>
public abstract partial class SqlJobStore
{
    /// <summary>Runs first in the migration transaction (PostgreSQL serialises instances starting together here).</summary>
    protected virtual Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await LockSchemaAsync(scope, cancellationToken);
        await scope.ExecuteAsync(Schema.CreateVersionTable, null, cancellationToken);
        var version = await scope.Connection.ExecuteScalarAsync<int?>(
            new CommandDefinition("SELECT max(version) FROM schema_version", transaction: scope.Transaction, cancellationToken: cancellationToken)) ?? 0;
        for (var i = version; i < Schema.Migrations.Count; i++)
        {
            await scope.ExecuteAsync(
                Schema.Migrations[i].Replace(Schema.ActualCostOfDocument, ActualCostOfDocument, StringComparison.Ordinal).Replace(Schema.EventId, EventId, StringComparison.Ordinal),
                null,
                cancellationToken);
            await scope.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@v)", new { v = i + 1 }, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }
}
