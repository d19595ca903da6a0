using System.Diagnostics;

namespace Mixillo.Tests.Support;

/// <summary>The built API as a real process: <c>dotnet Mixillo.Api.dll ARGS</c> in Development, run in a folder of the test's.</summary>
public static class ApiCommand
{
    /// <param name="environment">Settings as environment variables (<c>Section__Key</c>), beside ASPNETCORE_ENVIRONMENT=Development.</param>
    public static ProcessStartInfo In(string folder, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mixillo.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
