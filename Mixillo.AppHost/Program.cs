using Mixillo.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
Servers servers;
try
{
    servers = Dependencies.Choose(builder) == Dependencies.Containers ? ContainerServers.Add(builder) : ExecutableServers.Add(builder);
}
catch (SetupException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

builder.AddMixilloApi(servers);
builder.AddMixilloWorkers(servers);
await builder.Build().RunAsync();
return 0;
