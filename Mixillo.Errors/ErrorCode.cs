namespace Mixillo.Errors;

/// <summary>One entry of <see cref="ErrorCatalog"/>: a stable code that clients, operators and scripts match on.</summary>
/// <param name="Code">The string itself, never renamed.</param>
/// <param name="Status">The HTTP status the API answers it with; null when no route answers it.</param>
/// <param name="Retryable">
/// Whether a job that fails with it is tried again by itself; null when it never lands in a job's error log.
/// </param>
/// <param name="When">What it means, in the README's and the OpenAPI document's words.</param>
public sealed record ErrorCode(string Code, ErrorArea Area, int? Status, bool? Retryable, string When)
{
    /// <summary>The source's fault: no retry can help, and the command line exits 2.</summary>
    public bool IsInputError => Code.StartsWith("input_", StringComparison.Ordinal);

    public override string ToString() => Code;
}
