using System.Globalization;
using StackExchange.Redis;

namespace Mixillo.Api.Uploads;

/// <summary>
/// The per-user upload limits' counts: open uploads (and the bytes they promise) and chunk uploads in flight. With
/// Redis they are shared by every API instance; without it, or while Redis is away, each instance counts its own
/// (<see cref="OpenUploads"/>, <see cref="ChunkGate"/>, kept up to date either way, so a fall-back starts from what
/// this instance knows).
/// </summary>
public sealed partial class UserLimits(OpenUploads open, ChunkGate chunks, UploadOptions options, TimeProvider time, ILogger<UserLimits> logger, IConnectionMultiplexer? redis = null)
{
    /// <summary>Removes expired slots, then takes one if fewer than the limit are held; 1 when taken.</summary>
    private const string EnterScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    private int _away;

    /// <summary>How many uploads <paramref name="userId"/> has open, and the bytes they promise.</summary>
    public Task<(int Count, long Bytes)> OpenOfAsync(string userId) =>
        SharedAsync(
            async db =>
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var entries = await db.HashGetAllAsync(OpenKey(userId));
                var live = entries.Select(e => (Field: e.Name, Entry: OpenEntry.Parse(e.Value!))).ToList();
                if (live.Where(e => e.Entry.ExpiresAtMs <= now).Select(e => e.Field).ToArray() is { Length: > 0 } expired)
                {
                    await db.HashDeleteAsync(OpenKey(userId), expired);
                }

                var open = live.Where(e => e.Entry.ExpiresAtMs > now).ToList();
                return (open.Count, open.Sum(e => e.Entry.Bytes));
            },
            () => open.Of(userId, time.GetUtcNow()));

    public Task AddOpenAsync(UploadSession session)
    {
        open.Add(session);
        return WriteSharedAsync(db => AddAsync(db, session));
    }

    public Task RemoveOpenAsync(UploadSession session)
    {
        open.Remove(session.UploadId);
        return WriteSharedAsync(db => db.HashDeleteAsync(OpenKey(session.UserId), session.UploadId));
    }

    /// <summary>A sweep's stock-taking of storage; with Redis it restores what a restarted Redis lost.</summary>
    public Task ReplaceOpenAsync(IReadOnlyList<UploadSession> stillOpen, DateTimeOffset sweptFrom)
    {
        open.Replace(stillOpen, sweptFrom);
        return WriteSharedAsync(async db =>
        {
            foreach (var session in stillOpen)
            {
                await AddAsync(db, session);
            }
        });
    }

    /// <summary>A chunk slot for <paramref name="userId"/>, or null when they already have <paramref name="limit"/> in flight. Dispose to free it.</summary>
    public async Task<IAsyncDisposable?> TryEnterChunkAsync(string userId, int limit)
    {
        var token = Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // A slot outlives the longest chunk by a minute, so an instance that died holding one frees it by itself.
        var lifetime = (long)(options.ChunkTimeout + TimeSpan.FromMinutes(1)).TotalMilliseconds;
        IDisposable? local = null;
        var shared = await SharedAsync<bool?>(
            async db => (long)(await db.ScriptEvaluateAsync(EnterScript, [ChunksKey(userId)], [now, now + lifetime, token, limit, lifetime])) == 1,
            () => (local = chunks.TryEnter(userId, limit)) is not null ? null : false);
        return shared switch
        {
            true => new SharedSlot(this, userId, token),
            false => null,
            null => new LocalSlot(local!),
        };
    }

    private static RedisKey OpenKey(string userId) => $"mixillo:open:{userId}";

    private static RedisKey ChunksKey(string userId) => $"mixillo:chunks:{userId}";

    private async Task AddAsync(IDatabase db, UploadSession session)
    {
        await db.HashSetAsync(OpenKey(session.UserId), session.UploadId, new OpenEntry(session.FileSize, session.ExpiresAt.ToUnixTimeMilliseconds()).ToString());
        await db.KeyExpireAsync(OpenKey(session.UserId), options.ExpireAfter + TimeSpan.FromHours(1));
    }

    /// <summary>Redis's answer; this instance's own when there is no Redis or it fails (logged once per outage).</summary>
    private async Task<T> SharedAsync<T>(Func<IDatabase, Task<T>> shared, Func<T> local)
    {
        if (redis is null)
        {
            return local();
        }

        try
        {
            var answer = await shared(redis.GetDatabase());
            if (Interlocked.Exchange(ref _away, 0) == 1)
            {
                LogBack();
            }

            return answer;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (Interlocked.Exchange(ref _away, 1) == 0)
            {
                LogAway(ex);
            }

            return local();
        }
    }

    /// <summary>A write to the shared count; this instance's own is already written, so a failure only leaves Redis behind.</summary>
    private Task WriteSharedAsync(Func<IDatabase, Task> write) =>
        SharedAsync(async db =>
        {
            await write(db);
            return true;
        }, () => false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is away: per-user upload limits hold per instance until it is back")]
    private partial void LogAway(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: per-user upload limits are shared again")]
    private partial void LogBack();

    private readonly record struct OpenEntry(long Bytes, long ExpiresAtMs)
    {
        public static OpenEntry Parse(string value) =>
            value.Split(':') is [var bytes, var expires]
                ? new OpenEntry(long.Parse(bytes, CultureInfo.InvariantCulture), long.Parse(expires, CultureInfo.InvariantCulture))
                : default;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Bytes}:{ExpiresAtMs}");
    }

    private sealed class SharedSlot(UserLimits limits, string userId, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await limits.WriteSharedAsync(db => db.SortedSetRemoveAsync(ChunksKey(userId), token));
    }

    private sealed class LocalSlot(IDisposable slot) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            slot.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
