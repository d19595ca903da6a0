using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.AppHost;

/// <summary>
/// Which servers the AppHost models, when <c>Mixillo:Dependencies</c> is not set: containers only when a container
/// runtime actually answers <c>info</c>, not when a client without a daemon is on the PATH. The app is built, not
/// started (in executables mode building it makes PostgreSQL's cluster, as a first run does).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AppHostModelTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task Containers_only_when_the_container_runtime_answers(int infoExitCode, bool containers)
    {
        using var folder = new TempFolder();
        File.SetUnixFileMode(folder.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        // A container client: "info" answers as a running daemon would (0) or as a client with none behind it (1).
        var runtime = folder.File("docker");
        // A first run that was stopped halfway through making the cluster: the next one starts over.
        var halfMade = Directory.CreateDirectory(Path.Combine(folder.File("data"), "postgres", "data.new")).FullName;
        await File.WriteAllTextAsync(Path.Combine(halfMade, "PG_VERSION"), "15\n");
        await File.WriteAllTextAsync(runtime, $"#!/bin/sh\n[ \"$1\" = info ] && exit {infoExitCode}\nexit 2\n");
        File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mixillo_AppHost>(
            [$"--ASPIRE_CONTAINER_RUNTIME={runtime}", $"--Mixillo:DataRoot={folder.File("data")}"]);
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.Equal(containers, resources["postgres"] is ContainerResource);
        Assert.Equal(containers, resources["redis"] is ContainerResource);
        Assert.Equal(containers, resources.ContainsKey("minio"));
        Assert.Equal(!containers, resources["postgres"] is ExecutableResource && resources["redis"] is ExecutableResource);
        Assert.Equal(2, resources["worker"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        var cluster = Path.Combine(folder.File("data"), "postgres");
        // initdb makes three databases (template1, template0, postgres); the fourth is mixillo.
        var databases = Path.Combine(cluster, "data", "base");
        Assert.Equal(!containers, Directory.Exists(databases) && Directory.GetDirectories(databases).Length == 4);
        Assert.Equal(containers, Directory.Exists(Path.Combine(cluster, "data.new")));
    }
}
