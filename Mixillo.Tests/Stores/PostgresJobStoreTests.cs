using Dapper;
using Mixillo.Jobs.Store;
using Npgsql;

namespace Mixillo.Tests.Stores;

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobStoreTests(PostgresFixture postgres) : JobStoreContract
{
    private string _connectionString = null!;

    public override async Task InitializeAsync()
    {
        _connectionString = await postgres.NewSchemaAsync();
        await base.InitializeAsync();
    }

    protected override Task<IJobStore> OpenStoreAsync(QueueOptions options, TimeProvider time) =>
        Task.FromResult<IJobStore>(new PostgresJobStore(_connectionString, options, time));

    protected override async Task<IReadOnlyList<IJobStore>> OpenFreshStoresAsync(int count)
    {
        var fresh = await postgres.NewSchemaAsync();
        return [.. Enumerable.Range(0, count).Select(_ => new PostgresJobStore(fresh, Options, Clock))];
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.ExecuteAsync(sql);
    }
}
