using System.Diagnostics;
using System.Text.Json;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.AppHost;

/// <summary>
/// The AppHost as a developer runs it, where nothing gets started: the Aspire manifest that azd deploys (published
/// with no container runtime: every resource, api and worker images built from Dockerfiles that carry ffmpeg,
/// secrets only as parameters), and the message when a server it needs is not installed.
/// </summary>
public sealed class AppHostCommandTests
{
    /// <summary>The AppHost's project folder.</summary>
    private static readonly string AppHostProject = Projects.Mixillo_AppHost.ProjectPath;

    [Fact]
    public async Task The_manifest_has_every_resource_images_with_ffmpeg_and_no_secret_value()
    {
        using var folder = new TempFolder();
        var path = folder.File("aspire-manifest.json");
        Tool.Run("dotnet", Run("--publisher", "manifest", "--output-path", path));
        var text = await File.ReadAllTextAsync(path);
        var resources = JsonDocument.Parse(text).RootElement.GetProperty("resources");

        // (Aspire adds helpers of its own beside these, such as URI-encoded copies of the passwords.)
        Assert.Subset(
            resources.EnumerateObject().Select(r => r.Name).ToHashSet(),
            new HashSet<string> { "api", "jwt-signing-key", "minio", "minio-password", "minio-user", "mixillo", "postgres", "postgres-password", "redis", "redis-password", "worker" });

        var root = Path.GetFullPath(Path.Combine(AppHostProject, ".."));
        foreach (var (service, dockerfile) in new[] { ("api", "Mixillo.Api/Dockerfile"), ("worker", "Mixillo.Worker/Dockerfile") })
        {
            var resource = resources.GetProperty(service);
            Assert.Equal("container.v1", resource.GetProperty("type").GetString());
            // Paths are relative to the manifest's folder.
            var build = resource.GetProperty("build");
            var manifestFolder = Path.GetDirectoryName(path)!;
            Assert.Equal(Path.Combine(root, dockerfile), Path.GetFullPath(Path.Combine(manifestFolder, build.GetProperty("dockerfile").GetString()!)));
            Assert.Equal(root, Path.GetFullPath(Path.Combine(manifestFolder, build.GetProperty("context").GetString()!)).TrimEnd('/'));
            // The image that runs (the last stage) installs ffmpeg, which brings ffprobe.
            var lines = await File.ReadAllLinesAsync(Path.Combine(root, dockerfile));
            var final = lines[Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))..];
            Assert.Contains(final, l => l.Contains("apt-get install", StringComparison.Ordinal) && l.Contains("ffmpeg", StringComparison.Ordinal));
            Assert.Contains(final, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.Contains("root", StringComparison.Ordinal));

            var env = resource.GetProperty("env");
            Assert.Equal("postgres", env.GetProperty("Store__Provider").GetString());
            Assert.Equal("{mixillo.connectionString}", env.GetProperty("ConnectionStrings__mixillo").GetString());
            Assert.Equal("{minio-password.value}", env.GetProperty("Storage__S3__SecretKey").GetString());
        }

        // Inside Container Apps' 30 s termination grace (locally 3 s, inside DCP's 6 s).
        Assert.Equal("00:00:20", resources.GetProperty("worker").GetProperty("env").GetProperty("Worker__ShutdownGrace").GetString());

        var api = resources.GetProperty("api").GetProperty("env");
        Assert.Equal("{jwt-signing-key.value}", api.GetProperty("Auth__SigningKey").GetString());
        Assert.False(api.TryGetProperty("ASPNETCORE_ENVIRONMENT", out _), "the development signing key is for local runs only");
        Assert.True(resources.GetProperty("api").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());

        // Secrets are inputs that the deployment generates or asks for; none has a value here.
        foreach (var secret in new[] { "jwt-signing-key", "minio-password", "postgres-password", "redis-password" })
        {
            var input = resources.GetProperty(secret).GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean(), secret);
            Assert.True(input.GetProperty("default").TryGetProperty("generate", out _), secret);
            Assert.False(input.TryGetProperty("value", out _), secret);
        }

        Assert.DoesNotContain(Mixillo.Api.Auth.AuthOptions.DevelopmentKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_redis_server_installed_the_app_host_stops_at_once_naming_the_apt_package()
    {
        using var folder = new TempFolder();
        // Only the SDK on the PATH: no redis-server, and no container runtime, so executables mode is chosen.
        var onPath = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
        var dotnet = Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
        var start = new ProcessStartInfo(Path.Combine(dotnet, "dotnet")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in Run($"--Mixillo:DataRoot={folder.Path}"))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PATH"] = dotnet;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("apt-get install redis-server", await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application starting", await stdout, StringComparison.Ordinal);
    }

    /// <summary><c>dotnet run</c> of the AppHost as built for these tests, with <paramref name="args"/>.</summary>
    private static string[] Run(params string[] args)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        return ["run", "--no-build", "-c", configuration, "--project", AppHostProject, "--", .. args];
    }
}
