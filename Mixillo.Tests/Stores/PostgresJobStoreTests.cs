using Dapper;
using Mixillo.Jobs.Events;
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

    [Fact]
    public async Task An_event_that_commits_after_a_later_one_is_read_after_it_not_skipped()
    {
        var events = (IJobEvents)Store;
        var job = await Create();
        // A transaction takes an event id, then commits only after a later transaction's events were read.
        await using var slow = new NpgsqlConnection(_connectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await slow.ExecuteAsync(
            "INSERT INTO job_events (type, time, content_id, job_id, user_id, data) VALUES ('job.progress', 0, @ContentId, @JobId, @UserId, '{}')",
            new { job.ContentId, job.JobId, job.UserId },
            transaction);
        await Store.ChangeAsync(job.JobId, (j, now) => j.Cancel(now), None);
        var read = await events.EventsAsync(new EventQuery(0), None);
        Assert.Equal([JobEventTypes.Queued, JobEventTypes.Cancelled], read.Select(e => e.Type));

        await transaction.CommitAsync();
        var resumed = await events.EventsAsync(new EventQuery(read[^1].Id), None);
        Assert.Equal(["job.progress"], resumed.Select(e => e.Type));
        Assert.Equal(read[^1].Id + 1, resumed[0].Id);
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
