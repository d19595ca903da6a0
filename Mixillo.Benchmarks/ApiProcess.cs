using System.Diagnostics;
using System.Net;
using static System.FormattableString;

namespace Mixillo.Benchmarks;

/// <summary><c>dotnet Mixillo.Api.dll --urls ...</c> as a real process: output drained line by line and kept for warnings and errors.</summary>
internal sealed class ApiProcess(string dll, int port, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    : HostProcess("dotnet", [dll, "--urls", Invariant($"http://127.0.0.1:{port}")], environment, workingDirectory)
{
    public static ApiProcess Start(string dll, int port, IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        new(dll, port, environment, workingDirectory);

    /// <summary>Polls GET /health until it answers 200.</summary>
    public async Task WaitHealthyAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException(Invariant($"the API exited with code {Process.ExitCode} before it was healthy:\n{Tail()}"));
            }

            try
            {
                using var response = await client.GetAsync("/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(Invariant($"the API was not healthy within {timeout.TotalSeconds:0} s:\n{Tail()}"));
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
