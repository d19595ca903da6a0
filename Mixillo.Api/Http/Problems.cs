using Microsoft.AspNetCore.Http.HttpResults;
using Mixillo.Errors;

namespace Mixillo.Api.Http;

/// <summary>RFC 9457 problem results carrying a stable <c>code</c> (and <c>"success": false</c>, added for every problem).</summary>
public static class Problems
{
    /// <summary>The problem of a catalogue entry, at its status.</summary>
    public static ProblemHttpResult Of(ErrorCode error, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: error.Status ?? StatusCodes.Status500InternalServerError, extensions: new Dictionary<string, object?> { ["code"] = error.Code });
}
