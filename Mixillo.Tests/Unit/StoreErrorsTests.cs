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
    public void Io_errors_are_transient_and_bugs_are_not()
    {
        Assert.True(StoreErrors.IsTransient(new IOException("reset")));
        Assert.False(StoreErrors.IsTransient(new InvalidOperationException()));
        Assert.False(StoreErrors.IsTransient(new LeaseLostException(new JobLease("j", "w", 1))));
    }
}
