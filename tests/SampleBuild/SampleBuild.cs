using Zoptal.Build;

/// <summary>A small build run as a real process by the host's tests: signals, exit codes, CI output.</summary>
class SampleBuild : BuildHost
{
    public static int Main() => Execute<SampleBuild>(x => x.Hello);

    [Parameter("A token")]
    [Secret]
    readonly string? Token;

    Target Hello => _ => _
        .Executes(() => Log.Information($"hello, token {Token}"));

    Target Slow => _ => _
        .Executes(async ct =>
        {
            Console.WriteLine("slow target started");
            await Task.Delay(TimeSpan.FromMinutes(2), ct);
        });

    // Stops on Ctrl+C and returns normally with what it has, as LoadTest does.
    Target Graceful => _ => _
        .Executes(async ct =>
        {
            Console.WriteLine("graceful target started");
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(2), ct);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("partial results kept");
            }
        });

    Target Cleanup => _ => _
        .TriggeredBy(Slow)
        .AssuredAfterFailure()
        .Executes(() => Console.WriteLine("cleanup ran"));

    Target Warn => _ => _
        .Executes(() => Log.Warning("first line\nsecond line"));
}
