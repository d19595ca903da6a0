namespace Mixillo.Jobs.Store;

/// <summary>The <c>Store</c> configuration section (the connection string is <c>ConnectionStrings:mixillo</c>).</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    /// <summary><c>sqlite</c> (embedded) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = JobStores.Sqlite;

    public void Validate()
    {
        if (Provider.Trim().ToLowerInvariant() is not (JobStores.Sqlite or JobStores.Postgres))
        {
            throw new ArgumentException($"{Section}:Provider must be '{JobStores.Sqlite}' or '{JobStores.Postgres}', not '{Provider}'.");
        }
    }
}
