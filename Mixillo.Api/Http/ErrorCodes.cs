namespace Mixillo.Api.Http;

/// <summary>Stable <c>code</c>s of the API's problem details (clients match on them; never rename one).</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string InvalidId = "invalid_id";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string TooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string Internal = "internal_error";
    public const string TaskNotFailed = "task_not_failed";
    public const string InvalidCursor = "invalid_cursor";
    public const string WebhookUrlInvalid = "webhook_url_invalid";
    public const string WebhookUrlRefused = "webhook_url_refused";
    public const string WebhookNotFound = "webhook_not_found";
    public const string WebhookDeliveryNotFound = "webhook_delivery_not_found";
    public const string WebhookDeliveryPending = "webhook_delivery_pending";

    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => TooLarge,
        415 => UnsupportedMediaType,
        _ when status >= 500 => Internal,
        _ => "http_" + status,
    };
}
