using System.Diagnostics;

namespace Mixillo.AppHost;

/// <summary>
/// How the servers are provided, <c>Mixillo:Dependencies</c>: <c>containers</c> (Aspire's PostgreSQL and Redis
/// containers and MinIO) or <c>executables</c> (Debian's <c>postgres</c> and <c>redis-server</c> as local processes
/// and a storage folder). Unset, containers when a container runtime actually answers (<c>docker info</c>
/// succeeds: a <c>docker</c> client with no daemon behind it does not count), else executables. Publishing a
/// manifest is always for containers.
/// </summary>
internal static class Dependencies
{
    public const string Key = "Mixillo:Dependencies";
    public const string Containers = "containers";
    public const string Executables = "executables";

    public static string Choose(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[Key]?.Trim().ToLowerInvariant();
        if (builder.ExecutionContext.IsPublishMode)
        {
            return configured is null or Containers
                ? Containers
                : throw new SetupException($"{Key}={configured}: a published manifest deploys containers; leave {Key} unset or set it to {Containers}.");
        }

        return configured switch
        {
            null or "" => ContainerRuntimeAnswers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker") ? Containers : Executables,
            Containers or Executables => configured,
            _ => throw new SetupException($"{Key} must be '{Containers}' or '{Executables}', not '{configured}'."),
        };
    }

    private static bool ContainerRuntimeAnswers(string runtime)
    {
        try
        {
            using var info = Process.Start(new ProcessStartInfo(runtime, "info") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (info is null)
            {
                return false;
            }

            _ = info.StandardOutput.ReadToEndAsync();
            _ = info.StandardError.ReadToEndAsync();
            if (!info.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                info.Kill(entireProcessTree: true);
                return false;
            }

            return info.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed.
            return false;
        }
    }
}
