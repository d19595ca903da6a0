namespace Mixillo.Jobs.Store;

/// <summary>The store's schema: created, or migrated, at start.</summary>
public interface ISchemaMigrator
{
    /// <summary>Creates the schema, or migrates it, idempotently.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}
