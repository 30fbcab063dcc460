using FunctionsApiKey.Tool.Cli;

return await ApiKeysCli.RunAsync(args, new ToolConsole(Console.In, Console.Out, Console.Error, Console.IsOutputRedirected, Console.IsErrorRedirected));
