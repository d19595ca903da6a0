namespace Mixillo.Api.Uploads;

/// <summary>
/// Each user's open uploads (neither completed nor expired), for the per-user limits: every instance's as of the
/// last sweep of storage, plus what this instance opened and completed since. Limits therefore hold per API
/// instance between sweeps (a user could open a few more on each instance), and exactly at each sweep.
/// </summary>
public sealed class OpenUploads
{
    private readonly Lock _lock = new();
    private Dictionary<string, UploadSession> _open = new(StringComparer.Ordinal);

    /// <summary>How many uploads <paramref name="userId"/> has open, and the bytes they promise.</summary>
    public (int Count, long Bytes) Of(string userId, DateTimeOffset now)
    {
        lock (_lock)
        {
            var mine = _open.Values.Where(s => s.UserId == userId && s.ExpiresAt > now).ToList();
            return (mine.Count, mine.Sum(s => s.FileSize));
        }
    }

    public void Add(UploadSession session)
    {
        lock (_lock)
        {
            _open[session.UploadId] = session;
        }
    }

    public void Remove(string uploadId)
    {
        lock (_lock)
        {
            _open.Remove(uploadId);
        }
    }

    /// <summary>What a sweep that began at <paramref name="sweptFrom"/> found open; uploads opened here since then stay.</summary>
    public void Replace(IEnumerable<UploadSession> open, DateTimeOffset sweptFrom)
    {
        var found = open.ToDictionary(s => s.UploadId, StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var newer in _open.Values.Where(s => s.CreatedAt >= sweptFrom))
            {
                found.TryAdd(newer.UploadId, newer);
            }

            _open = found;
        }
    }
}
