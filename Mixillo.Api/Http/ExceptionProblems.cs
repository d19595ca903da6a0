using Microsoft.AspNetCore.Diagnostics;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Http;

/// <summary>
/// Domain exceptions as problem details with their stable code; anything unexpected is a 500 that says
/// nothing about the server (no message, no stack trace) and is logged.
/// </summary>
public sealed partial class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            IllegalTransitionException e => (StatusCodes.Status409Conflict, IllegalTransitionException.Code, e.Message),
            RetriesExhaustedException e => (StatusCodes.Status409Conflict, RetriesExhaustedException.Code, e.Message),
            JobNotFoundException e => (StatusCodes.Status404NotFound, JobNotFoundException.Code, e.Message),
            InvalidStorageKeyException e => (StatusCodes.Status400BadRequest, InvalidStorageKeyException.Code, e.Message),
            Uploads.UploadException e => (e.Status, e.Code, e.Message),
            Media.MediaException { IsInputError: true } e => (StatusCodes.Status422UnprocessableEntity, e.Code, e.Message),
            BadHttpRequestException e => (e.StatusCode, ErrorCodes.ForStatus(e.StatusCode), "The request could not be read."),
            _ => (StatusCodes.Status500InternalServerError, ErrorCodes.Internal, "Something went wrong on our side; it has been logged."),
        };
        if (status >= 500)
        {
            LogUnexpected(exception, context.Request.Path);
        }

        context.Response.StatusCode = status;
        if (exception is Uploads.UploadException { RetryAfter: { } after })
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail, Extensions = { ["code"] = code } },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure of {Path}")]
    private partial void LogUnexpected(Exception exception, string path);
}
