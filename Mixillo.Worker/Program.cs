using Mixillo.Worker;

return args is ["process", .. var rest]
    ? await ProcessCommand.RunAsync(rest, Console.Out, Console.Error, ConsoleCancellation.Token)
    : ProcessCommand.Usage(Console.Error);
