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

/// <summary>A server that the chosen mode needs is not installed; the message names the apt packages.</summary>
internal sealed class ServerMissingException(string message) : Exception(message);
