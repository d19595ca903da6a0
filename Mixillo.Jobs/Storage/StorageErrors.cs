using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Mixillo.Jobs.Storage;

public static class StorageErrors
{
    /// <summary>
    /// Storage that did not answer, or answered that it is busy or broken (5xx, 429): may pass on another try.
    /// A refusal (bad credentials, a missing bucket) is not transient; neither is a missing object.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ObjectNotFoundException => false,
        AmazonServiceException service when service.StatusCode is >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests => true,
        AmazonServiceException { InnerException: { } inner } => IsTransient(inner),
        AmazonClientException client when client.InnerException is { } inner => IsTransient(inner),
        HttpRequestException or SocketException or TimeoutException => true,
        IOException when exception is not FileNotFoundException and not DirectoryNotFoundException => true,
        TaskCanceledException canceled when canceled.InnerException is TimeoutException => true,
        _ => exception.InnerException is { } cause && IsTransient(cause),
    };
}
