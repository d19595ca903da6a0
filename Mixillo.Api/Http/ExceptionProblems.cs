using Microsoft.AspNetCore.Diagnostics;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;

namespace Mixillo.Api.Http;

/// <summary>
/// Exceptions that carry a catalogue entry with a status as problem details with its code; anything unexpected is a 500 that says
/// nothing about the server (no message, no stack trace) and is logged.
/// </summary>
public sealed partial class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            ICodedException { Error.Status: { } known } coded => (known, coded.Error.Code, exception.Message),
            BadHttpRequestException e => (e.StatusCode, ErrorCatalog.ForStatus(e.StatusCode), "The request could not be read."),
            _ => (StatusCodes.Status500InternalServerError, ErrorCatalog.InternalError.Code, "Something went wrong on our side; it has been logged."),
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
