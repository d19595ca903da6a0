using System.Net.Http.Headers;
using System.Text;
using Mixillo.Jobs.Webhooks;

namespace Mixillo.Api.Webhooks;

/// <summary>
/// Sends one attempt of a delivery: a signed POST of its body. Redirects are not followed (a 3xx is a failed attempt),
/// no proxy is used (it would connect past the address guard), and at most <see cref="ResponseBodyLimit"/> bytes of
/// the answer are read and kept.
/// </summary>
public sealed class WebhookClient : IDisposable
{
    /// <summary>The start of a response body that is kept for the deliveries view.</summary>
    public const int ResponseBodyLimit = 4 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;

    public WebhookClient(WebhookOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            // Connections are reused, but not past a change of the host's addresses for long.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        if (!options.AllowPrivateNetworks)
        {
            handler.ConnectCallback = WebhookUrlGuard.ConnectPublicAsync;
        }

        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Mixillo-Webhooks/1");
    }

    public async Task<DeliveryAttempt> SendAsync(ClaimedDelivery claimed, CancellationToken cancellationToken)
    {
        var delivery = claimed.Delivery;
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, claimed.Url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(delivery.Payload)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add(WebhookSigner.IdHeader, delivery.Id);
        request.Headers.Add(WebhookSigner.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSigner.SignatureHeader, WebhookSigner.Sign(claimed.Secret, delivery.Id, timestamp, delivery.Payload));

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var body = await ReadStartAsync(response.Content, attempt.Token);
            var code = (int)response.StatusCode;
            return new DeliveryAttempt(code, body, code is >= 200 and < 300 ? null : $"HTTP {code}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryAttempt(null, null, $"No answer within {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookUrlGuard.AddressRefusedException)
        {
            return new DeliveryAttempt(null, null, "Refused: the host resolves to no public address.");
        }
        catch (HttpRequestException ex)
        {
            // The kind of failure, never the exception's text (which may carry internal details).
            return new DeliveryAttempt(null, null, $"The request failed: {ex.HttpRequestError}.");
        }
    }

    /// <summary>The body's first <see cref="ResponseBodyLimit"/> bytes as text; the rest is never read.</summary>
    private static async Task<string?> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[ResponseBodyLimit];
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is > 0 and var n)
        {
            read += n;
        }

        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    public void Dispose() => _http.Dispose();
}
