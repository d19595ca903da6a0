using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mixillo.Jobs.Store;

public static class StoreErrors
{
    /// <summary>
    /// A failure that may pass if the same call is made again (a restarting server, a dropped connection, a
    /// busy file). Claim loops retry these after a pause; everything else is a bug or bad input.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };
}
