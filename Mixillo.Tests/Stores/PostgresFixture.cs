using Mixillo.TestServers;
using Npgsql;

namespace Mixillo.Tests.Stores;

/// <summary>One real PostgreSQL for the run's store tests; each test gets a schema of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A connection string whose tables land in a new, empty schema.</summary>
    public async Task<string> NewSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(Server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        await command.ExecuteNonQueryAsync();
        return Server.ConnectionString(schema: schema);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
