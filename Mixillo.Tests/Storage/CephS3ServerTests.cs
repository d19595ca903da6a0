using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mixillo.Tests.Support;
using Mixillo.TestServers;
using Xunit.Abstractions;

namespace Mixillo.Tests.Storage;

/// <summary>The throwaway radosgw is a real S3 endpoint (checked without the AWS SDK), survives a gateway outage and leaves nothing behind.</summary>
public sealed class CephS3ServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serves_signed_S3_requests_survives_a_gateway_restart_and_cleans_up()
    {
        var clock = Stopwatch.StartNew();
        var server = await CephS3Server.StartAsync();
        output.WriteLine($"started in {clock.Elapsed.TotalSeconds:0.0} s at {server.ServiceUrl}");
        int[] pids = [server.MonitorPid!.Value, server.OsdPid!.Value, server.GatewayPid!.Value];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            // Anonymous: an S3 bucket listing (radosgw's anonymous user owns none).
            using (var anonymous = await http.GetAsync(server.ServiceUrl))
            {
                Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
                Assert.Contains("<ListAllMyBucketsResult", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // The generated user and key exist...
            var info = await ChildProcess.RunAsync("radosgw-admin", ["-c", server.ConfigPath, "user", "info", $"--uid={server.UserId}"], CancellationToken.None);
            using (var user = JsonDocument.Parse(info))
            {
                Assert.Contains(server.AccessKey, user.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("access_key").GetString()));
            }

            // ...and signatures are checked: a wrong secret is refused, the right one creates a bucket and an object.
            var signer = new SigV4(server.AccessKey, server.SecretKey, server.Region);
            using (var forged = await new SigV4(server.AccessKey, "not-the-secret", server.Region).SendAsync(http, HttpMethod.Put, $"{server.ServiceUrl}/smoke"))
            {
                Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
                Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var body = Encoding.UTF8.GetBytes("hello from mixillo");
            await Ok(signer.SendAsync(http, HttpMethod.Put, $"{server.ServiceUrl}/smoke"));
            await Ok(signer.SendAsync(http, HttpMethod.Put, $"{server.ServiceUrl}/smoke/hello.txt", body));
            Assert.Equal(body, await Ok(signer.SendAsync(http, HttpMethod.Get, $"{server.ServiceUrl}/smoke/hello.txt")));

            // An outage: the gateway's port refuses connections while the monitor and the OSD keep the data.
            clock.Restart();
            await server.StopGatewayAsync();
            output.WriteLine($"gateway stopped in {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.Null(server.GatewayPid);
            Assert.False(Directory.Exists($"/proc/{pids[2]}"));
            Assert.NotNull(server.MonitorPid);
            Assert.NotNull(server.OsdPid);
            using (var client = new TcpClient())
            {
                var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, server.GatewayPort));
                Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
            }

            clock.Restart();
            await server.StartGatewayAsync();
            output.WriteLine($"gateway started again in {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.NotEqual(pids[2], server.GatewayPid);
            pids = [.. pids, server.GatewayPid!.Value];
            Assert.Equal(body, await Ok(signer.SendAsync(http, HttpMethod.Get, $"{server.ServiceUrl}/smoke/hello.txt")));
        }
        finally
        {
            clock.Restart();
            await server.DisposeAsync();
            output.WriteLine($"disposed in {clock.Elapsed.TotalSeconds:0.00} s");
        }

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still there"));
        Assert.Null(server.MonitorPid);
        Assert.False(Directory.Exists(server.Folder));
    }

    private static async Task<byte[]> Ok(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var content = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(content)}");
        return content;
    }

    /// <summary>Just enough AWS Signature Version 4 for path-style requests without a query string.</summary>
    private sealed class SigV4(string accessKey, string secretKey, string region)
    {
        public async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, byte[]? body = null)
        {
            var uri = new Uri(url);
            var now = DateTime.UtcNow;
            var date = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var scope = $"{now:yyyyMMdd}/{region}/s3/aws4_request";
            var payloadHash = Hex(SHA256.HashData(body ?? []));
            var canonical = $"{method.Method}\n{uri.AbsolutePath}\n\nhost:{uri.Authority}\nx-amz-content-sha256:{payloadHash}\nx-amz-date:{date}\n\nhost;x-amz-content-sha256;x-amz-date\n{payloadHash}";
            var toSign = $"AWS4-HMAC-SHA256\n{date}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
            foreach (var part in scope.Split('/'))
            {
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            }

            using var request = new HttpRequestMessage(method, uri) { Content = body is null ? null : new ByteArrayContent(body) };
            request.Headers.Add("x-amz-date", date);
            request.Headers.Add("x-amz-content-sha256", payloadHash);
            request.Headers.TryAddWithoutValidation("Authorization",
                $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)))}");
            return await http.SendAsync(request);
        }

        private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
    }

    /// <summary>
    /// StartAsync cancelled at different steps stops what it started and deletes its folder. Alone in a
    /// non-parallel collection, so every Ceph daemon and mixillo-s3 folder that appears during a case is its own.
    /// </summary>
    [Collection(Name)]
    public sealed class CancelledStart(ITestOutputHelper output)
    {
        public const string Name = "ceph-s3-cancelled-start";

        [Theory]
        [InlineData(100)]
        [InlineData(400)]
        [InlineData(800)]
        public async Task Leaves_no_daemon_and_no_folder(int cancelAfterMs)
        {
            var daemonsBefore = Daemons();
            var foldersBefore = Folders();
            using var cancel = new CancellationTokenSource(cancelAfterMs);
            try
            {
                await using var server = await CephS3Server.StartAsync(cancel.Token);
                output.WriteLine("started before the cancellation");
            }
            catch (OperationCanceledException ex)
            {
                var steps = (ex.StackTrace ?? "").Split('\n')
                    .Where(l => l.Contains("CephS3Server.", StringComparison.Ordinal))
                    .Select(l => l[(l.IndexOf("CephS3Server.", StringComparison.Ordinal) + 13)..].Split('(')[0]);
                output.WriteLine($"cancelled in {string.Join(" < ", steps)}");
            }

            Assert.Empty(Daemons().Except(daemonsBefore));
            Assert.Empty(Folders().Except(foldersBefore));
        }

        private static IEnumerable<string> Folders() => Directory.GetDirectories(Path.GetTempPath(), "mixillo-s3-*");

        /// <summary>Our Ceph daemons and tools (children of the test host), as "pid command line".</summary>
        private static List<string> Daemons() =>
        [
            .. Tool.Children(Environment.ProcessId)
                .Select(pid => $"{pid} {Arguments(pid)}")
                .Where(line => line.Contains("mixillo-s3-", StringComparison.Ordinal)),
        ];

        private static string Arguments(int pid)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                return "";
            }
        }
    }
}

[CollectionDefinition(CephS3ServerTests.CancelledStart.Name, DisableParallelization = true)]
public sealed class CephS3CancelledStartCollection;
