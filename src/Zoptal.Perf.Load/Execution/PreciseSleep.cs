namespace Zoptal.Perf.Load.Execution;

/// <summary>Sleeps for microseconds: libc's usleep on Linux (about 60 µs of slack), 1 ms steps elsewhere.</summary>
internal static class PreciseSleep
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "usleep")]
    private static extern int USleep(uint microseconds);

    public static void For(long microseconds)
    {
        var wait = Math.Clamp(microseconds, 50, 50_000);
        if (OperatingSystem.IsLinux())
            USleep((uint)wait);
        else
            Thread.Sleep((int)Math.Max(1, wait / 1000));
    }
}
