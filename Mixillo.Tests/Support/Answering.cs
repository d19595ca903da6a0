using System.Net;
using Mixillo.TestServers;

namespace Mixillo.Tests.Support;

/// <summary>Waiting for a host started as a process to serve HTTP.</summary>
public static class Answering
{
    /// <summary>Until <paramref name="path"/> answers 200 (connection refusals while the host starts are expected).</summary>
    public static Task WaitAsync(HttpClient http, string path, TimeSpan timeout, string what) =>
        ChildProcess.WaitUntilAsync(
            async () =>
            {
                try
                {
                    return (await http.GetAsync(path)).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            timeout,
            what);
}
