using Mixillo.Jobs.Store;
using Npgsql;

namespace Mixillo.Tests.Unit;

public class StoreErrorsTests
{
    [Theory]
    [InlineData("57P01", true)]
    [InlineData("57P03", true)]
    [InlineData("08006", true)]
    [InlineData("40001", true)]
    [InlineData("23505", false)]
    [InlineData("42P01", false)]
    public void Server_shutdowns_and_lost_connections_are_transient_constraint_and_schema_errors_are_not(string sqlState, bool transient) =>
        Assert.Equal(transient, StoreErrors.IsTransient(new PostgresException("message", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void An_unknown_store_provider_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => JobStores.Create("mongodb", "x", new QueueOptions(), TimeProvider.System));
        Assert.Contains("'mongodb'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unworkable_queue_options_are_refused_when_a_store_is_built() =>
        Assert.Throws<ArgumentException>(() => JobStores.Create("Postgres", "Host=127.0.0.1", new QueueOptions { HeartbeatInterval = TimeSpan.FromMinutes(10) }, TimeProvider.System));

    [Fact]
    public void Io_errors_are_transient_and_bugs_are_not()
    {
        Assert.True(StoreErrors.IsTransient(new IOException("reset")));
        Assert.False(StoreErrors.IsTransient(new InvalidOperationException()));
        Assert.False(StoreErrors.IsTransient(new LeaseLostException(new JobLease("j", "w", 1))));
    }
}
