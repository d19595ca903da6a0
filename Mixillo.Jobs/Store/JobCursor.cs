using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>
/// Where a keyset page ends: the last job's sort value and id, with the order they belong to. The next
/// page starts strictly after it, so it costs the same at any depth and neither skips nor repeats a job
/// when jobs are added meanwhile. Clients see it as an opaque base64url token.
/// </summary>
public sealed record JobCursor(JobSort SortBy, bool Descending, string? Value, string JobId)
{
    public static JobCursor After(TranscodeJob job, JobSort sortBy, bool descending) => new(sortBy, descending, ValueOf(job, sortBy), job.JobId);

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Token((int)SortBy, Descending, Value, JobId), TokenContext.Default.Token));

    /// <summary>Null for a token this service did not make (malformed, or naming an unknown sort).</summary>
    public static JobCursor? Decode(string token)
    {
        try
        {
            var t = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token), TokenContext.Default.Token);
            if (t is null || !Enum.IsDefined((JobSort)t.S) || !JobIds.IsValid(t.Id) || (t.V is null && (JobSort)t.S != JobSort.CompletedAt))
            {
                return null;
            }

            var cursor = new JobCursor((JobSort)t.S, t.D, t.V, t.Id);
            return cursor.IsNumeric && t.V is not null && !long.TryParse(t.V, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : cursor;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Every sort column but status holds a number (Unix milliseconds, or the priority).</summary>
    internal bool IsNumeric => SortBy != JobSort.Status;

    internal object? Parameter => Value is null ? null : IsNumeric ? long.Parse(Value, CultureInfo.InvariantCulture) : Value;

    /// <summary>The job's value in the sort column, as the store writes it.</summary>
    private static string? ValueOf(TranscodeJob job, JobSort sortBy) => sortBy switch
    {
        JobSort.UpdatedAt => Ms(job.UpdatedAt),
        JobSort.CompletedAt => job.CompletedAt is { } completed ? Ms(completed) : null,
        JobSort.Priority => job.Priority.ToString(CultureInfo.InvariantCulture),
        JobSort.Status => JobJson.Name(job.Status),
        _ => Ms(job.CreatedAt),
    };

    private static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    internal sealed record Token(int S, bool D, string? V, string Id);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JobCursor.Token))]
internal sealed partial class TokenContext : System.Text.Json.Serialization.JsonSerializerContext;
