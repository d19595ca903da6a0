using System.Net;
using System.Net.Http.Json;
using Mixillo.Tests.Stores;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>Per-user limits answer 429 with Retry-After and a code; a full disk refuses uploads (507) and says so in /health.</summary>
public sealed class QuotaTests
{
    private static async Task<HttpResponseMessage> InitializeAsync(HttpClient client, long size = 1000) =>
        await client.PostAsJsonAsync("/api/content/upload/initialize", new { fileName = "clip.mp4", fileSize = size, mimeType = "video/mp4", uploadType = "video" });

    private static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
    }

    private static async Task<string> UploadIdAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("uploadId").GetString()!;
    }

    [Fact]
    public async Task Open_uploads_per_user_are_limited_other_users_are_not_and_a_restarted_instance_still_counts_them()
    {
        using var folder = new TempFolder();
        var shared = new Dictionary<string, string?>
        {
            ["Upload:MaxOpenUploadsPerUser"] = "2",
            ["ConnectionStrings:mixillo"] = $"Data Source={folder.File("mixillo.db")}",
            ["Storage:Root"] = folder.File("media"),
        };
        using (var api = new ApiFactory(shared))
        {
            var alice = await api.ClientAsync("alice");
            await UploadIdAsync(await InitializeAsync(alice));
            await UploadIdAsync(await InitializeAsync(alice));
            var refused = await InitializeAsync(alice);
            Assert.Equal("too_many_uploads", await CodeAsync(refused, HttpStatusCode.TooManyRequests));
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
            await UploadIdAsync(await InitializeAsync(await api.ClientAsync("bob")));
        }

        // Another instance (or this one restarted) takes stock of the open uploads in storage at start.
        using var again = new ApiFactory(shared);
        var client = await again.ClientAsync("alice");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage answer;
        do
        {
            answer = await InitializeAsync(client);
        }
        while (answer.StatusCode == HttpStatusCode.Created && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal("too_many_uploads", await CodeAsync(answer, HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task The_bytes_open_uploads_promise_are_limited()
    {
        using var api = new ApiFactory(new Dictionary<string, string?> { ["Upload:MaxFileSizeBytes"] = "1000000", ["Upload:MaxOpenBytesPerUser"] = "1500000" });
        var client = await api.ClientAsync("carol");
        await UploadIdAsync(await InitializeAsync(client, 1_000_000));
        Assert.Equal("upload_quota_exceeded", await CodeAsync(await InitializeAsync(client, 600_000), HttpStatusCode.TooManyRequests));
        await UploadIdAsync(await InitializeAsync(client, 400_000));
    }

    [Fact]
    public async Task Jobs_waiting_or_running_per_user_are_limited()
    {
        using var api = new ApiFactory(new Dictionary<string, string?> { ["Upload:MaxActiveJobsPerUser"] = "2" });
        var client = await api.ClientAsync("dave");
        await api.Store.CreateAsync(JobFactory.New(user: "dave"), queue: true, CancellationToken.None);
        await UploadIdAsync(await InitializeAsync(client));
        await api.Store.CreateAsync(JobFactory.New(user: "dave"), queue: true, CancellationToken.None);

        var refused = await InitializeAsync(client);
        Assert.Equal("too_many_jobs", await CodeAsync(refused, HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Slow_chunks_are_cut_off_and_a_user_cannot_hold_more_than_their_share_of_chunk_uploads()
    {
        using var api = new ApiFactory(new Dictionary<string, string?>
        {
            ["Upload:ChunkSize"] = "4096",
            ["Upload:MaxConcurrentChunksPerUser"] = "1",
            ["Upload:ChunkTimeout"] = "00:00:02",
        });
        // A real server and a plain client: the test server and the factory's clients take a request body whole
        // before sending it on.
        api.UseKestrel(0);
        using var client = new HttpClient { BaseAddress = (await api.ClientAsync()).BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.Token("erin", null));
        var uploadId = await UploadIdAsync(await InitializeAsync(client, 8192));

        // A client that sends 10 bytes and then nothing holds its slot until the chunk timeout cuts it off. Raw
        // HTTP: HttpClient would not show the answer before its own body is sent.
        using var slow = new System.Net.Sockets.TcpClient();
        await slow.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var connection = slow.GetStream();
        await connection.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"PUT /api/content/upload/{uploadId}/chunks/0 HTTP/1.1\r\nHost: {client.BaseAddress.Authority}\r\nAuthorization: {client.DefaultRequestHeaders.Authorization}\r\nContent-Length: 4096\r\n\r\n"));
        await connection.WriteAsync(new byte[10]);
        await Task.Delay(500);

        var second = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/1", new ByteArrayContent(new byte[4096]));
        Assert.Equal("too_many_chunks", await CodeAsync(second, HttpStatusCode.TooManyRequests));
        var answer = await ReadAnswerAsync(connection).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("chunk_timeout", answer, StringComparison.Ordinal);

        // The slot is free again.
        var again = await client.PutAsync($"/api/content/upload/{uploadId}/chunks/1", new ByteArrayContent(new byte[4096]));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    /// <summary>Reads an HTTP answer until its body (a problem) has arrived.</summary>
    private static async Task<string> ReadAnswerAsync(Stream connection)
    {
        var buffer = new byte[8192];
        var text = new System.Text.StringBuilder();
        while (!text.ToString().Contains("\"code\"", StringComparison.Ordinal) && await connection.ReadAsync(buffer) is > 0 and var read)
        {
            text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    [Fact]
    public async Task A_disk_below_its_floor_refuses_new_uploads_with_507_and_health_says_degraded()
    {
        using var api = new ApiFactory(new Dictionary<string, string?> { ["Upload:MinFreeBytes"] = (1L << 60).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var client = await api.ClientAsync("frank");

        var refused = await InitializeAsync(client);
        Assert.Equal("insufficient_storage", await CodeAsync(refused, HttpStatusCode.InsufficientStorage));
        var health = await client.GetAsync("/health");
        Assert.Equal((HttpStatusCode.OK, "Degraded"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
    }
}
