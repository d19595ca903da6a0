using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mixillo.Jobs.Store;

public static class StoreErrors
{
    /// <summary>
    /// A failure that may pass if the same call is made again (a restarting server, a dropped connection, a
    /// busy file, a serialization conflict). Claim loops retry these after a pause; anything else is a bug or
    /// bad input.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || IsTransientState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or still starting;
    // 40001 and 40P01: serialization failure and deadlock, which a retry resolves.
    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "40001" or "40P01";
}
