using Zoptal.SamplePlatform;

// The embedded sample Zoptal platform (docs/sample-platform.md). LoadTest starts it as a child process:
//   Zoptal.SamplePlatform [--host 127.0.0.1] [--ports auth=0,project=0,...] [--kdf-iterations N] [--seed N]
// and reads one line per service from standard output, `ready <service> <url>`, then `ready all`.
// It stops on SIGTERM, Ctrl+C, or when its standard input closes (the parent died).
try
{
    var options = PlatformOptions.Parse(args);
    await using var platform = await Platform.StartAsync(options);
    foreach (var (service, url) in platform.Urls)
        Console.WriteLine($"ready {service} {url}");
    Console.WriteLine("ready all");
    await platform.WaitForShutdownAsync(options.WatchStandardInput);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (InvalidOperationException e)
{
    // One line the parent relays as it is (PostgreSQL out of reach, a port taken), not a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
catch (IOException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
