using Spectre.Console;
using Zoptal.Perf.Load;
using Zoptal.Perf.Runs.Display;

namespace Zoptal.Perf.Runs.Tests;

public sealed class LiveRunDisplayTests
{
    [Fact]
    public void A_phase_shows_a_row_per_service_and_messages_print_when_it_ends()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(writer),
        });
        var display = new LiveRunDisplay(console);
        display.PhaseStarted("load", ["auth", "billing"], TimeSpan.FromSeconds(40));
        display.Progress("load", "auth", new RunProgress(TimeSpan.FromSeconds(12), 50, 1200, 30, 17, 98.5, 41.2, []), TimeSpan.FromSeconds(40), "");
        display.Info("a message during the phase [with brackets]");
        var view = Render(display);
        Assert.Contains("auth", view);
        Assert.Contains("98.5", view);
        Assert.Contains("2.50%", view); // 30 of 1200
        Assert.Contains("28s", view);   // remaining
        Assert.Contains("17", view);    // dropped iterations
        Assert.Contains("waiting", view); // billing has not reported yet
        display.PhaseFinished("load");
        Assert.Contains("a message during the phase [with brackets]", writer.ToString());
    }

    private static string Render(LiveRunDisplay display)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(writer) });
        console.Write(display.Render());
        return writer.ToString();
    }
}
