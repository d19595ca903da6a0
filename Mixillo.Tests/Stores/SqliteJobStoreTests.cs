using Dapper;
using Microsoft.Data.Sqlite;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Stores;

public sealed class SqliteJobStoreTests : JobStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<IJobStore> OpenStoreAsync(QueueOptions options, TimeProvider time) =>
        Task.FromResult<IJobStore>(new SqliteJobStore($"Data Source={_folder.File("mixillo.db")}", options, time));

    protected override Task<IReadOnlyList<IJobStore>> OpenFreshStoresAsync(int count)
    {
        var file = _folder.File($"fresh-{Guid.NewGuid():N}.db");
        return Task.FromResult<IReadOnlyList<IJobStore>>([.. Enumerable.Range(0, count).Select(_ => new SqliteJobStore($"Data Source={file}", Options, Clock))]);
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_folder.File("mixillo.db")}");
        await connection.ExecuteAsync(sql);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_in_memory_database_is_refused_because_it_would_lose_the_jobs() =>
        Assert.Throws<ArgumentException>(() => new SqliteJobStore("Data Source=:memory:", Options, Clock));
}
