using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Api.Auth;
using Mixillo.Errors;
using Mixillo.Tests.Storage;

namespace Mixillo.Tests.Api;

/// <summary>
/// Every route, found in the API's own OpenAPI document and route table (so a new route is covered without
/// touching this test), with hostile values in its path, query and body, as an admin and as a user: every answer
/// is a 4xx or a success, never a 5xx. On Kestrel, so the server's own parsing and limits are part of it.
/// </summary>
public abstract class HostileInputTests : IAsyncLifetime
{
    private const string User = "user_1";

    private ApiFactory _api = null!;
    private HttpClient _admin = null!;
    private HttpClient _user = null!;
    private readonly Dictionary<string, string> _baseline = new() { ["taskId"] = "dash", ["index"] = "0", ["key"] = "videos/c1/hls/master.m3u8" };

    /// <summary>The API on the deployment under test.</summary>
    protected abstract Task<ApiFactory> StartAsync();

    /// <summary>Real ids for the path parameters, so hostile values in other places reach past "not found".</summary>
    public async Task InitializeAsync()
    {
        _api = await StartAsync();
        _admin = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);
        _user = await _api.ClientAsync(User);
        var local = Path.GetTempFileName();
        await File.WriteAllTextAsync(local, "#EXTM3U\n");
        await _api.Storage.PutFileAsync("uploads/seed/clip.mp4", local, CancellationToken.None);
        await _api.Storage.PutFileAsync(_baseline["key"], local, CancellationToken.None);
        File.Delete(local);

        var job = await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "content_seed", userId = User, sourceKey = "uploads/seed/clip.mp4" });
        _baseline["jobId"] = JsonDocument.Parse(await job.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("jobId").GetString()!;
        _baseline["contentId"] = "content_seed";
        var upload = await _user.PostAsJsonAsync("/api/content/upload/initialize", new { fileName = "a.mp4", fileSize = 20 * 1024, mimeType = "video/mp4" });
        _baseline["uploadId"] = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("uploadId").GetString()!;
        // A webhook at a documentation address (TEST-NET-1: public by the guard's rule, reached by nobody).
        var webhook = await _admin.PostAsJsonAsync("/api/webhooks", new { url = "https://192.0.2.1/hook" });
        _baseline["webhookId"] = JsonDocument.Parse(await webhook.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("id").GetString()!;
        _baseline["deliveryId"] = "msg_seed";
    }

    public Task DisposeAsync()
    {
        _api.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Valid bodies to vary, by schema name: fields that pass let the hostile one reach further in.</summary>
    private static readonly Dictionary<string, JsonNode> Examples = new()
    {
        ["InitializeUpload"] = JsonNode.Parse("""{"fileName":"a.mp4","fileSize":10,"mimeType":"video/mp4","uploadType":"video","caption":"c"}""")!,
        ["CreateJobRequest"] = JsonNode.Parse("""
            {"contentId":"content_h","userId":"user_1","sourceKey":"uploads/seed/clip.mp4","priority":5,
             "options":{"qualities":["360p"],"hls":true,"dash":false,"thumbnailCount":1,"preview":true,"audio":true,"preset":"ultrafast"},
             "content":{"type":"video","caption":"c"},"user":{"username":"u","fullName":"U","email":"u@example.com"}}
            """)!,
        ["WebhookRequest"] = JsonNode.Parse("""{"url":"https://192.0.2.1/hook","events":["job.completed"],"enabled":true}""")!,
    };

    private async Task<List<HostileRequests.Operation>> OperationsAsync()
    {
        var openApi = JsonDocument.Parse(await _admin.GetStringAsync("/openapi/v1.json")).RootElement;
        return HostileRequests.Operations(openApi, _api.Services.GetRequiredService<EndpointDataSource>(), Examples);
    }

    [Fact]
    public async Task No_route_answers_a_hostile_path_query_or_body_with_a_server_error_or_an_undeclared_code()
    {
        var operations = await OperationsAsync();
        var paths = JsonDocument.Parse(await _admin.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        Assert.Contains(operations, o => o.Method == "HEAD" && o.Path == "/media/{key}");
        Assert.Contains(operations, o => o.Method == "PUT" && o.PathParameters.Contains("index"));

        var failures = new List<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (operation, request) in operations.SelectMany(o => HostileRequests.For(o, _baseline).Select(r => (o, r))))
        {
            foreach (var (who, client) in new[] { ("admin", _admin), ("user", _user) })
            {
                using var response = await client.SendAsync(request.Create(), HttpCompletionOption.ResponseHeadersRead);
                sent++;
                // An event stream that opened is a 200 that does not end: its status is the answer.
                var text = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync();
                // A problem's code is one its route declares in the OpenAPI document at that status (so never an
                // http_{status}, which ErrorCatalog.ForStatus gives a status it has no name for).
                if ((int)response.StatusCode >= 500 || (response.Content.Headers.ContentType?.MediaType == "application/problem+json" && text.Length > 0 && !Declared(paths, request.Reroutes ? null : operation, (int)response.StatusCode, text)))
                {
                    failures.Add($"{request.Description} as {who}: {(int)response.StatusCode} {text}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests answered 5xx or a code their route does not declare in {clock.Elapsed.TotalSeconds:F0} s:\n{string.Join('\n', failures.Take(30))}");
        Assert.True(sent > 1000, $"only {sent} requests");
    }

    /// <summary>
    /// Whether the operation's response at that status names the problem's code (HEAD is documented as its GET). A
    /// route outside the document (the document itself, health), or a request whose path may have led to another
    /// route (null), only has to give a named code.
    /// </summary>
    private static bool Declared(JsonElement paths, HostileRequests.Operation? operation, int status, string problem)
    {
        var code = JsonDocument.Parse(problem).RootElement.GetProperty("code").GetString()!;
        var method = operation?.Method == "HEAD" ? "get" : operation?.Method.ToLowerInvariant();
        if (operation is null || !paths.TryGetProperty(operation.Path, out var path) || !path.TryGetProperty(method!, out var documented))
        {
            return !code.StartsWith("http_", StringComparison.Ordinal);
        }

        return documented.GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
            && response.GetProperty("description").GetString()!.Contains($"`{code}`", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_bodies_over_16_KiB_are_413_on_every_json_route_and_a_chunk_is_not_capped()
    {
        var jsonRoutes = (await OperationsAsync()).Where(o => o.Body is not null).ToList();
        Assert.NotEmpty(jsonRoutes);
        var large = JsonSerializer.Serialize(new { caption = new string('c', 17 * 1024) });
        foreach (var operation in jsonRoutes)
        {
            foreach (var chunked in new[] { false, true })
            {
                var path = operation.PathParameters.Aggregate(operation.Path, (p, name) => p.Replace("{" + name + "}", _baseline[name], StringComparison.Ordinal));
                HttpContent content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(large))) : new StringContent(large, Encoding.UTF8);
                content.Headers.ContentType = new("application/json");
                var request = new HttpRequestMessage(new HttpMethod(operation.Method), path) { Content = content };
                request.Headers.TransferEncodingChunked = chunked;
                using var response = await _admin.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{operation.Method} {operation.Path} (chunked: {chunked}): {response.StatusCode} {body}");
                Assert.Equal("payload_too_large", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
            }
        }

        var chunk = await _user.PutAsync($"/api/content/upload/{_baseline["uploadId"]}/chunks/0", new ByteArrayContent(new byte[20 * 1024]));
        Assert.Equal(HttpStatusCode.OK, chunk.StatusCode);
    }
}

/// <summary>The embedded default: SQLite and a storage folder.</summary>
public sealed class EmbeddedHostileInputTests : HostileInputTests
{
    protected override Task<ApiFactory> StartAsync() => Task.FromResult<ApiFactory>(new KestrelApiFactory());
}

/// <summary>The distributed deployment: PostgreSQL (which refuses U+0000 in text) and a real S3 server.</summary>
[Collection(DistributedCollection.Name)]
public sealed class DistributedHostileInputTests(DistributedFixture servers) : HostileInputTests
{
    protected override async Task<ApiFactory> StartAsync() => new KestrelApiFactory(await servers.DeploymentSettingsAsync());
}
