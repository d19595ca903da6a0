using System.Diagnostics;
using System.Globalization;
using Mixillo.Tests.Support;
using Mixillo.TestServers;

namespace Mixillo.Tests.Api;

/// <summary>
/// Both hosts started as <c>dotnet /path/X.dll</c> from another folder, as a service manager does: the settings
/// files beside the program are read, not ones in the working folder. Seen through logging, which both files set.
/// </summary>
public sealed class ContentRootTests : IDisposable
{
    /// <summary>Request lines are logged at Information under this category.</summary>
    private const string RequestLog = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Starts <paramref name="program"/> in a working folder of its own, asks /alive three times, stops it with SIGTERM, and returns its console.</summary>
    private async Task<string> RunAsync(string program, string environment, Dictionary<string, string>? variables = null)
    {
        var port = ChildProcess.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder.Path };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        start.Environment["Worker__ScratchRoot"] = Path.Combine(_folder.Path, "scratch");
        foreach (var (name, value) in variables ?? [])
        {
            start.Environment[name] = value;
        }

        using var host = Process.Start(start)!;
        var stdout = host.StandardOutput.ReadToEndAsync();
        var stderr = host.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Answering.WaitAsync(http, "/alive", TimeSpan.FromSeconds(60), $"{program} to answer /alive");
            for (var i = 0; i < 2; i++)
            {
                await http.GetAsync("/alive");
            }

            // A graceful stop flushes the console logger, so everything the requests logged is in the output.
            ChildProcess.Signal(host.Id, "TERM");
            await host.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }

        return await stdout + await stderr;
    }

    [Fact]
    public async Task The_api_reads_the_appsettings_beside_its_program_not_in_its_working_folder()
    {
        var console = await RunAsync("Mixillo.Api.dll", "Development", new() { ["Worker__InProcess"] = "false" });

        // appsettings.json beside Mixillo.Api.dll keeps Microsoft.AspNetCore at Warning: no line per request.
        Assert.Contains("Application is shutting down", console, StringComparison.Ordinal);
        Assert.DoesNotContain(RequestLog, console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_host_reads_the_appsettings_beside_its_program_not_in_its_working_folder()
    {
        // appsettings.ContentRootTest.json beside Mixillo.Worker.dll (this test project puts it there) asks for
        // Microsoft.AspNetCore at Information, which the worker host leaves at Warning unless asked.
        var console = await RunAsync("Mixillo.Worker.dll", "ContentRootTest");

        Assert.Contains(RequestLog, console, StringComparison.Ordinal);
    }
}
