namespace Mixillo.AppHost;

/// <summary>
/// What the services need from the servers, however they are provided: the PostgreSQL database (system of record
/// and queue), Redis (the API instances' shared memory) and object storage.
/// </summary>
/// <param name="UseStorage">Points a service at the object storage (and waits for it, where it is a resource).</param>
internal sealed record Servers(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    Action<IResourceBuilder<ProjectResource>> UseStorage);

/// <summary>The machine or the configuration cannot run the chosen servers (one not installed, a folder out of reach, a bad value); the message says what to do.</summary>
internal sealed class SetupException(string message) : Exception(message);
