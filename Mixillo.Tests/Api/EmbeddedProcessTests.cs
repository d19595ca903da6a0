using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Api;

/// <summary>The embedded default as a real process: `dotnet Mixillo.Api.dll` in Development, nothing configured but a port and a folder.</summary>
public sealed class EmbeddedProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ProcessStartInfo Api(params string[] args) =>
        ApiCommand.In(_folder.Path, new Dictionary<string, string> { ["Worker__ScratchRoot"] = Path.Combine(_folder.Path, "scratch") }, args);

    [Fact]
    public async Task The_embedded_default_starts_with_its_own_database_storage_and_worker_and_takes_a_token_of_its_own()
    {
        var port = ChildProcess.FreePort();
        using var api = Process.Start(Api("--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")))!;
        var output = new System.Text.StringBuilder();
        api.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        api.BeginOutputReadLine();
        _ = api.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Answering.WaitAsync(http, "/health", TimeSpan.FromSeconds(60), "the API to answer /health");

            using var tokenProcess = Process.Start(Api("token", "--user", "me"))!;
            var token = (await tokenProcess.StandardOutput.ReadToEndAsync()).Trim();
            await tokenProcess.WaitForExitAsync();
            Assert.Equal(0, tokenProcess.ExitCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var upload = await http.PostAsync("/api/content/upload/initialize", new StringContent(
                """{"fileName":"a.mp4","fileSize":10,"mimeType":"video/mp4","uploadType":"video"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);

            Assert.True(File.Exists(Path.Combine(_folder.Path, "data", "mixillo.db")));
            Assert.True(Directory.Exists(Path.Combine(_folder.Path, "data", "media", "uploads")));
            lock (output)
            {
                Assert.Contains("worker: in this process", output.ToString(), StringComparison.Ordinal);
                Assert.Contains("Get a token:", output.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
        }
    }
}
