using Dapper;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// Upload completions (<see cref="UploadCompletion"/>): the upload id is the table's key, so of two callers that
/// begin at once exactly one inserts the marker (PostgreSQL makes the second INSERT wait for the first's commit;
/// SQLite serialises writers), and every write after that is conditional on the completer still holding it.
/// </summary>
public abstract partial class SqlJobStore
{
    private const string CompletionColumns =
        "upload_id AS UploadId, state AS State, completer AS Completer, started_at AS StartedAt, finished_at AS FinishedAt, " +
        "content_id AS ContentId, job_id AS JobId, code AS Code, message AS Message";

    private const string StillHeld = "upload_id = @UploadId AND state = 'completing' AND completer = @Completer";

    public async Task<UploadCompletion> BeginCompletionAsync(string uploadId, string completer, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var parameters = new { uploadId, completer, now = Ms(now), staleBefore = Ms(now - staleAfter) };
        await scope.ExecuteAsync(
            "INSERT INTO upload_completions (upload_id, state, completer, started_at) VALUES (@uploadId, 'completing', @completer, @now) ON CONFLICT (upload_id) DO NOTHING",
            parameters,
            cancellationToken);
        // Still completing after the stale limit: its completer died with its instance. Of several callers that
        // find it so, the first update takes it over; the others' updates, re-checked after it, match nothing.
        await scope.ExecuteAsync(
            "UPDATE upload_completions SET completer = @completer, started_at = @now WHERE upload_id = @uploadId AND state = 'completing' AND started_at <= @staleBefore",
            parameters,
            cancellationToken);
        var row = await scope.Connection.QuerySingleAsync<CompletionRow>(new CommandDefinition(
            $"SELECT {CompletionColumns} FROM upload_completions WHERE upload_id = @uploadId", parameters, scope.Transaction, cancellationToken: cancellationToken));
        await scope.CommitAsync(cancellationToken);
        return row.ToCompletion();
    }

    public Task<UploadCompletion?> GetCompletionAsync(string uploadId, CancellationToken cancellationToken) =>
        ReadAsync(
            async connection => (await connection.QuerySingleOrDefaultAsync<CompletionRow>(new CommandDefinition(
                $"SELECT {CompletionColumns} FROM upload_completions WHERE upload_id = @uploadId", new { uploadId }, cancellationToken: cancellationToken)))?.ToCompletion(),
            cancellationToken);

    public async Task<TranscodeJob> FinishCompletionAsync(UploadCompletion held, NewJob job, CancellationToken cancellationToken)
    {
        var created = Created(job, queue: true);
        using var activity = StartEnqueue(created);
        await using var scope = await BeginWriteAsync(cancellationToken);
        var finished = await scope.ExecuteAsync(
            $"UPDATE upload_completions SET state = 'completed', content_id = @ContentId, job_id = @JobId, finished_at = @now WHERE {StillHeld}",
            new { held.UploadId, held.Completer, created.ContentId, created.JobId, now = Ms(Time.GetUtcNow()) },
            cancellationToken);
        if (finished == 0)
        {
            throw new CompletionLostException(held);
        }

        await InsertAsync(scope, created, cancellationToken);
        await CommitAsync(scope, announce: true, cancellationToken);
        return created;
    }

    public async Task<UploadCompletion> RejectCompletionAsync(UploadCompletion held, string code, string message, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(Ms(Time.GetUtcNow()));
        var rejected = await scope.ExecuteAsync(
            $"UPDATE upload_completions SET state = 'rejected', code = @code, message = @message, finished_at = @now WHERE {StillHeld}",
            new { held.UploadId, held.Completer, code, message, now = Ms(now) },
            cancellationToken);
        if (rejected == 0)
        {
            throw new CompletionLostException(held);
        }

        await scope.CommitAsync(cancellationToken);
        return held with { State = CompletionState.Rejected, Code = code, Message = message, FinishedAt = now };
    }

    public async Task ReleaseCompletionAsync(UploadCompletion held, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await scope.ExecuteAsync($"DELETE FROM upload_completions WHERE {StillHeld}", new { held.UploadId, held.Completer }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    public async Task ForgetCompletionAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken);
        await scope.ExecuteAsync("DELETE FROM upload_completions WHERE upload_id = @uploadId", new { uploadId }, cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    /// <summary>A row of <c>upload_completions</c> as Dapper reads it (by the column aliases).</summary>
    private sealed class CompletionRow
    {
        public string UploadId { get; init; } = "";

        public string State { get; init; } = "";

        public string Completer { get; init; } = "";

        public long StartedAt { get; init; }

        public long? FinishedAt { get; init; }

        public string? ContentId { get; init; }

        public string? JobId { get; init; }

        public string? Code { get; init; }

        public string? Message { get; init; }

        public UploadCompletion ToCompletion() => new()
        {
            UploadId = UploadId,
            State = JobJson.Parse<CompletionState>(State),
            Completer = Completer,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(StartedAt),
            FinishedAt = FinishedAt is { } finished ? DateTimeOffset.FromUnixTimeMilliseconds(finished) : null,
            ContentId = ContentId,
            JobId = JobId,
            Code = Code,
            Message = Message,
        };
    }
}
