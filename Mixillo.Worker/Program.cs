using Microsoft.Extensions.Configuration;
using Mixillo.Worker;

// appsettings.json beside the program, then environment variables (Media__StallTimeout=00:02:00).
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .Build();

return args is ["process", .. var rest]
    ? await ProcessCommand.RunAsync(rest, configuration, Console.Out, Console.Error, ConsoleCancellation.Token)
    : ProcessCommand.Usage(Console.Error);
