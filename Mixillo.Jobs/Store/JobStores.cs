namespace Mixillo.Jobs.Store;

/// <summary>Builds the store that <c>Store:Provider</c> names.</summary>
public static class JobStores
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <param name="provider"><c>sqlite</c> or <c>postgres</c> (case-insensitive).</param>
    /// <param name="connectionString"><c>ConnectionStrings:mixillo</c>: SQLite <c>Data Source=...</c> or an Npgsql connection string.</param>
    public static IJobStore Create(string provider, string connectionString, QueueOptions options, TimeProvider time) =>
        provider.Trim().ToLowerInvariant() switch
        {
            Sqlite => new SqliteJobStore(connectionString, options, time),
            Postgres => new PostgresJobStore(connectionString, options, time),
            _ => throw new ArgumentException($"Store:Provider must be '{Sqlite}' or '{Postgres}', not '{provider}'."),
        };
}
