using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mixillo.Tests.Support;

/// <summary>One request a <see cref="WebhookReceiver"/> got, and the status it answered.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string? ContentType, string Body, int Answered, string Path = "/hook");

/// <summary>
/// A webhook receiver on a free loopback port (Kestrel): keeps every POST with its Standard Webhooks headers, answers
/// what <see cref="Answer"/> says, and counts requests that arrived while another of the same <c>webhook-id</c> was in flight.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private ListenOptions _listen = null!;
    private int _overlaps;

    private WebhookReceiver()
    {
        // The empty builder reads no appsettings.json or environment, so nothing in the test folder reconfigures it.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => _listen = listen));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The status to answer a request (the requests before it are in <see cref="Received"/>); 200 unless set.</summary>
    public Func<ReceivedWebhook, int> Answer { get; set; } = _ => 200;

    /// <summary>The body of every answer; by default a word that says whether it was 200.</summary>
    public string? ReplyBody { get; set; }

    /// <summary>How long each request is held before it is answered, to widen any window in which a delivery could be sent twice at once.</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromMilliseconds(20);

    public string Url => $"http://{_listen.IPEndPoint}/hook";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Requests that came while one with the same webhook-id was still being answered.</summary>
    public int Overlaps => Volatile.Read(ref _overlaps);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Polls until <paramref name="done"/> holds for what arrived; on timeout, says what did.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (!done(Received))
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"The receiver got {Received.Count} requests: {string.Join(", ", Received.Select(r => $"{r.Id} {r.Answered}"))}");
            }

            await Task.Delay(50);
        }

        return Received;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        var id = request.Headers["webhook-id"].FirstOrDefault();
        if (id is not null && _inFlight.AddOrUpdate(id, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        try
        {
            await Task.Delay(Hold, context.RequestAborted);
            var received = new ReceivedWebhook(id, request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], request.ContentType, body, 0, request.Path);
            var status = Answer(received);
            _received.Enqueue(received with { Answered = status });
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400)
            {
                context.Response.Headers.Location = "/elsewhere";
            }

            await context.Response.WriteAsync(ReplyBody ?? (status == 200 ? "thanks" : "not now"), context.RequestAborted);
        }
        finally
        {
            if (id is not null)
            {
                _inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
