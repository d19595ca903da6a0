using System.Text;
using System.Text.Json;

namespace Mixillo.Tests.Support;

/// <summary>One frame of a server-sent event stream: an event (with its id, type and JSON data) or a comment.</summary>
public sealed record SseFrame(string? Id, string? Type, string? Data, string? Comment)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>Reads a text/event-stream response frame by frame, as the HTML spec parses it (enough of it for these tests).</summary>
public sealed class SseClient(HttpResponseMessage response) : IAsyncDisposable
{
    private StreamReader? _reader;

    public static async Task<SseClient> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseClient(response);
    }

    public HttpResponseMessage Response => response;

    /// <summary>The next frame, or null at the end of the stream. Throws on <paramref name="timeout"/>.</summary>
    public async Task<SseFrame?> NextAsync(TimeSpan timeout)
    {
        _reader ??= new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        using var cancel = new CancellationTokenSource(timeout);
        string? id = null, type = null, comment = null;
        var data = new StringBuilder();
        var any = false;
        while (await _reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseFrame(id, type, data.Length == 0 ? null : data.ToString(), comment);
                }

                continue;
            }

            any = true;
            if (line.StartsWith(':'))
            {
                comment = line[1..].Trim();
                continue;
            }

            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(data.Length == 0 ? "" : "\n").Append(value); break;
            }
        }

        return null;
    }

    /// <summary>Event frames (comments and the retry line skipped) until one <paramref name="until"/> takes, or the end.</summary>
    public async Task<List<SseFrame>> EventsAsync(Func<SseFrame, bool> until, TimeSpan timeout)
    {
        var frames = new List<SseFrame>();
        var deadline = DateTime.UtcNow + timeout;
        while (await NextAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (frame.Type is null)
            {
                continue;
            }

            frames.Add(frame);
            if (until(frame))
            {
                break;
            }
        }

        return frames;
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
