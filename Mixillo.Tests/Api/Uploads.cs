using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mixillo.Tests.Api;

/// <summary>A whole chunked upload through the API, as a client makes it.</summary>
internal static class Uploads
{
    public sealed record Completed(string UploadId, string ContentId, string JobId);

    /// <summary>Jobs that finish in seconds (one 360p rung at ultrafast, one thumbnail), uploaded in 256 KiB chunks.</summary>
    public static Dictionary<string, string?> QuickJobs() => new()
    {
        ["Transcode:Qualities"] = "360p",
        ["Transcode:ThumbnailCount"] = "1",
        ["Transcode:Preset"] = "ultrafast",
        ["Upload:ChunkSize"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<Completed> SendAsync(HttpClient client, string path)
    {
        var uploadId = await SendChunksAsync(client, path);
        var completed = await client.PostAsync($"/api/content/upload/{uploadId}/complete", null);
        Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
        var data = JsonDocument.Parse(await completed.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        return new Completed(uploadId, data.GetProperty("contentId").GetString()!, data.GetProperty("jobId").GetString()!);
    }

    /// <summary>Initializes an upload of <paramref name="path"/> and sends every chunk; returns the upload's id.</summary>
    public static async Task<string> SendChunksAsync(HttpClient client, string path)
    {
        var file = await File.ReadAllBytesAsync(path);
        var init = JsonDocument.Parse(await (await client.PostAsJsonAsync("/api/content/upload/initialize",
            new { fileName = Path.GetFileName(path), fileSize = file.Length, mimeType = "video/mp4" })).Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        var uploadId = init.GetProperty("uploadId").GetString()!;
        var chunkSize = init.GetProperty("chunkSize").GetInt32();
        for (var i = 0; i < init.GetProperty("totalChunks").GetInt32(); i++)
        {
            var put = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/{i}", new ByteArrayContent(file[(i * chunkSize)..Math.Min(file.Length, (i + 1) * chunkSize)]));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        return uploadId;
    }

    /// <summary>
    /// <paramref name="calls"/> completes of one upload, all released at once, through the clients in turn (one per
    /// API instance, say); returns each call's status and body.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Body)[]> CompleteAtOnceAsync(IReadOnlyList<HttpClient> clients, string uploadId, int calls)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completes = Enumerable.Range(0, calls).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            using var response = await clients[i % clients.Count].PostAsync($"/api/content/upload/{uploadId}/complete", null);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(completes);
    }
}
