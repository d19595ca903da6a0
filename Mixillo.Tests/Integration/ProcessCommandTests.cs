using System.Diagnostics;
using System.Text.Json;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>The worker's <c>process</c> command as a real process: its exit codes, its JSON, its stderr.</summary>
[Collection(MediaCollection.Name)]
public sealed class ProcessCommandTests(Clips clips) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Process StartWorker(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mixillo.Worker.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Worker(params string[] args) => Worker(args, null);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Worker(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var process = StartWorker(args, environment);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            // A command that hangs (or a host started by mistake) must not outlive the test.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static JsonElement LastJsonLine(string text) =>
        JsonDocument.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement.Clone();

    [Fact]
    public async Task Success_prints_the_result_as_json_and_progress_on_stderr()
    {
        var output = _folder.File("out");
        var (exit, stdout, stderr) = await Worker("process", clips["portrait"], "--out", output, "--preset", "ultrafast", "--qualities", "480p,360p", "--thumbnails", "2", "--dash");

        Assert.True(exit == 0, stderr);
        var result = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["480p", "360p"], result.GetProperty("renditions").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var first = result.GetProperty("renditions")[0];
        Assert.Equal(new FileInfo(Path.Combine(output, "480p.mp4")).Length, first.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(480, first.GetProperty("width").GetInt32());
        Assert.Equal("h264", first.GetProperty("videoCodec").GetString());
        Assert.True(first.GetProperty("bitrateBps").GetInt64() > 0);
        Assert.Equal("hls/master.m3u8", result.GetProperty("hls").GetProperty("manifest").GetString());
        Assert.Equal("dash/manifest.mpd", result.GetProperty("dash").GetProperty("manifest").GetString());
        Assert.Equal(1, result.GetProperty("hls").GetProperty("variants")[0].GetProperty("segmentCount").GetInt32());
        Assert.Equal(2, result.GetProperty("thumbnails").GetArrayLength());
        Assert.Equal(1, result.GetProperty("thumbnails")[0].GetProperty("offsetSeconds").GetDouble());
        Assert.True(result.GetProperty("timings").GetProperty("totalSeconds").GetDouble() > 0);
        Assert.True(result.GetProperty("timings").GetProperty("ffmpegCpuSeconds").GetDouble() > 0);
        Assert.Contains("encode", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "hls", "master.m3u8")));
    }

    [Fact]
    public async Task Invalid_input_exits_2_with_a_json_error_and_writes_nothing()
    {
        var text = _folder.File("notes.mp4");
        await File.WriteAllTextAsync(text, "not a video\n");
        var output = _folder.File("out");

        var (exit, stdout, stderr) = await Worker("process", text, "--out", output);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        var error = LastJsonLine(stderr);
        Assert.Equal("input_not_video", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Empty(Directory.Exists(output) ? Directory.GetFileSystemEntries(output) : []);
    }

    [Fact]
    public async Task A_truncated_video_exits_2_with_input_truncated_and_writes_nothing()
    {
        var output = _folder.File("out");

        var (exit, stdout, stderr) = await Worker("process", clips["truncated"], "--out", output, "--preset", "ultrafast");

        Assert.True(exit == 2, stderr);
        Assert.Empty(stdout);
        Assert.Equal("input_truncated", LastJsonLine(stderr).GetProperty("code").GetString());
        Assert.Empty(Directory.Exists(output) ? Directory.GetFileSystemEntries(output) : []);
    }

    [Theory]
    [InlineData("process", "--out")]
    [InlineData("process", "x.mp4", "--out", "o", "--qualities", "4k")]
    [InlineData("transcode")]
    [InlineData("--urls", "http://127.0.0.1:5999", "transcode")]
    public async Task Bad_arguments_exit_2(params string[] args)
    {
        var (exit, _, stderr) = await Worker(args);
        Assert.Equal(2, exit);
        Assert.Contains("Mixillo.Worker process (INPUT | --demo) --out DIR", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_host_serves_health_where_urls_says_given_as_key_and_value()
    {
        var url = $"http://127.0.0.1:{Mixillo.TestServers.ChildProcess.FreePort()}";
        using var worker = StartWorker(["--urls", url, "--Queue:PollInterval=00:00:01"], new Dictionary<string, string>
        {
            ["ConnectionStrings__mixillo"] = $"Data Source={_folder.File("jobs.db")}",
            ["Storage__Root"] = _folder.File("media"),
            ["Worker__ScratchRoot"] = _folder.File("scratch"),
        });
        _ = worker.StandardOutput.ReadToEndAsync();
        _ = worker.StandardError.ReadToEndAsync();
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        try
        {
            var clock = Stopwatch.StartNew();
            string? health = null;
            while (health != "Healthy" && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
                health = await client.GetStringAsync("/health").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
            }

            Assert.Equal("Healthy", health);
            Assert.Equal("Healthy", await client.GetStringAsync("/alive"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/api/transcode/jobs")).StatusCode);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Media_limits_come_from_the_environment()
    {
        var (exit, _, stderr) = await Worker(["process", clips["portrait"], "--out", _folder.File("out")], new Dictionary<string, string> { ["Media__MaxDurationSeconds"] = "2" });
        Assert.Equal(2, exit);
        Assert.Equal("input_too_long", LastJsonLine(stderr).GetProperty("code").GetString());

        (exit, _, stderr) = await Worker(["process", clips["portrait"], "--out", _folder.File("out")], new Dictionary<string, string> { ["Media__StallTimeout"] = "-00:00:01" });
        Assert.Equal(2, exit);
        Assert.Equal("invalid_configuration", LastJsonLine(stderr).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_source_that_runs_past_its_declared_duration_exits_2_with_input_too_long()
    {
        var (exit, _, stderr) = await Worker("process", clips["restarting"], "--out", _folder.File("out"), "--preset", "ultrafast");
        Assert.Equal(2, exit);
        Assert.Equal("input_too_long", LastJsonLine(stderr).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Demo_generates_its_own_clip()
    {
        var output = _folder.File("demo");
        var (exit, stdout, stderr) = await Worker("process", "--demo", "--out", output, "--preset", "ultrafast", "--qualities", "360p", "--thumbnails", "1");

        Assert.True(exit == 0, stderr);
        Assert.Equal(720, JsonDocument.Parse(stdout).RootElement.GetProperty("source").GetProperty("video").GetProperty("width").GetInt32());
        Assert.True(File.Exists(Path.Combine(output, "360p.mp4")));
    }

    [Fact]
    public async Task Sigterm_during_encode_kills_ffmpeg_and_leaves_nothing()
    {
        var output = _folder.File("out");
        using var worker = StartWorker(["process", clips["long"], "--out", output]);
        var stdout = worker.StandardOutput.ReadToEndAsync();
        var encoding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = Task.Run(async () =>
        {
            var text = new System.Text.StringBuilder();
            while (await worker.StandardError.ReadLineAsync() is { } line)
            {
                text.AppendLine(line);
                if (line.StartsWith("encode", StringComparison.Ordinal) && !line.EndsWith(" 0%", StringComparison.Ordinal))
                {
                    encoding.TrySetResult();
                }
            }

            return text.ToString();
        });
        await encoding.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var ffmpeg = Tool.Children(worker.Id).Single();

        Tool.Run("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, worker.ExitCode);
        Assert.Equal("cancelled", LastJsonLine(await stderr).GetProperty("code").GetString());
        Assert.Empty(await stdout);
        Assert.False(Tool.IsRunning(ffmpeg));
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }
}
