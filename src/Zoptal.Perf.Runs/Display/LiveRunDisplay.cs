using Spectre.Console;
using Spectre.Console.Rendering;
using Zoptal.Perf.Load;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs.Display;

/// <summary>
/// The terminal's live view (Spectre.Console): during a phase, a table with a row per service (requests/s, error
/// rate, p95, VUs, elapsed and remaining time) redrawn four times a second, and the latest messages under it.
/// Outside phases, messages and the summary table print as plain lines.
/// </summary>
public sealed class LiveRunDisplay(IAnsiConsole console) : IRunDisplay
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (RunProgress? Progress, TimeSpan Planned)> _rows = [];
    private readonly List<string> _messages = [];
    private string? _phase;
    private CancellationTokenSource? _stop;
    private Task? _live;

    /// <summary>Whether the live view fits this process: a terminal, and not a CI server (the host knows which).</summary>
    public static bool Suits(bool serverBuild) => !serverBuild && !Console.IsOutputRedirected;

    public void Info(string message) => Write(message, warning: false);

    public void Warning(string message) => Write(message, warning: true);

    public void PhaseStarted(string phase, IReadOnlyList<string> services, TimeSpan planned)
    {
        lock (_lock)
        {
            _phase = phase;
            _rows.Clear();
            foreach (var service in services)
                _rows[service] = (null, planned);
            _messages.Clear();
        }

        _stop = new CancellationTokenSource();
        var stop = _stop.Token;
        _live = console.Live(Render()).AutoClear(true).StartAsync(async ctx =>
        {
            while (!stop.IsCancellationRequested)
            {
                ctx.UpdateTarget(Render());
                try
                {
                    await Task.Delay(250, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            ctx.UpdateTarget(Render());
        });
    }

    public void PhaseFinished(string phase)
    {
        _stop?.Cancel();
        _live?.GetAwaiter().GetResult();
        _stop?.Dispose();
        _stop = null;
        _live = null;
        List<string> messages;
        lock (_lock)
        {
            _phase = null;
            messages = [.. _messages];
            _messages.Clear();
        }

        // The live view clears itself; what it showed in brief stays on the screen as lines.
        foreach (var message in messages)
            console.MarkupLine(message);
    }

    public void Progress(string phase, string service, RunProgress progress, TimeSpan planned, string line)
    {
        lock (_lock)
            _rows[service] = (progress, planned);
    }

    public void Table(string phase, IReadOnlyList<ServiceSummary> services)
    {
        // As plain text: the console would wrap a table wider than the terminal.
        foreach (var line in PhaseTable.Lines(phase, services))
            console.Profile.Out.Writer.WriteLine(line);
    }

    /// <summary>The live view as it is now.</summary>
    internal IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{_phase ?? ""} phase"));
        foreach (var column in new[] { "service", "req/s", "errors", "p95 ms", "dropped", "VUs", "elapsed", "remaining" })
            table.AddColumn(new TableColumn(column) { Alignment = column == "service" ? Justify.Left : Justify.Right });
        List<string> messages;
        lock (_lock)
        {
            foreach (var (service, (p, planned)) in _rows)
            {
                if (p is null)
                {
                    table.AddRow(Markup.Escape(service), "-", "-", "-", "-", "-", "-", "waiting");
                    continue;
                }

                var errorRate = p.Requests > 0 ? 100.0 * p.Errors / p.Requests : 0;
                var errors = FormattableString.Invariant($"{errorRate:0.00}%");
                table.AddRow(
                    Markup.Escape(service),
                    FormattableString.Invariant($"{p.RequestsPerSecond:0.0}"),
                    errorRate >= 5 ? $"[red]{errors}[/]" : errorRate >= 1 ? $"[yellow]{errors}[/]" : errors,
                    FormattableString.Invariant($"{p.LatencyP95:0.0}"),
                    p.Dropped > 0 ? FormattableString.Invariant($"[red]{p.Dropped:N0}[/]") : "0",
                    p.Vus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    FormattableString.Invariant($"{p.Elapsed.TotalSeconds:0}s"),
                    FormattableString.Invariant($"{Math.Max(0, (planned - p.Elapsed).TotalSeconds):0}s"));
            }

            messages = [.. _messages.TakeLast(5)];
        }

        return new Rows([table, .. messages.Select(m => new Markup(m))]);
    }

    private void Write(string message, bool warning)
    {
        var markup = warning ? $"[yellow]{Markup.Escape(message)}[/]" : Markup.Escape(message);
        lock (_lock)
        {
            if (_phase is not null)
            {
                // While the live view runs, the last five messages show under it; all print when it ends.
                _messages.Add(markup);
                return;
            }
        }

        console.MarkupLine(markup);
    }
}
