using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Scenarios;

// bench/engine-vs-peers drives this program:
//   server --port N                    a minimal Kestrel endpoint on loopback: /cl answers 11 bytes with Content-Length,
//                                      /stall does the same but freezes for 1 s every 10 s (for the coordinated-omission run)
//   load --url U --vus N --duration D  our engine, closed model (constant-vus), prints one JSON line
//   load --url U --rate R --duration D [--max-connections C] [--max-vus V]   open model (constant-arrival-rate)
//   load --url U --vus N --duration D --think T                             many VUs held with think time
//   any load mode: --transport lean|sockets (the engine's HTTP/1.1 client, the default, or SocketsHttpHandler)
//   open model: --on-saturation wait|drop (an iteration that finds every VU busy waits in the backlog, the default, or is dropped)
// The JSON line includes allocated_bytes_per_request (managed allocations of the whole process during the run).
// The generator's runtime setting, before anything opens a socket (the server keeps .NET's defaults).
if (args.FirstOrDefault() == "load")
    LoadRuntime.UseInlineSocketCompletions();
var arguments = args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
string Arg(string name, string fallback) => arguments.GetValueOrDefault(name, fallback);

if (args.FirstOrDefault() == "server")
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, int.Parse(Arg("port", "5080"), CultureInfo.InvariantCulture)));
    var app = builder.Build();
    var body = "hello world"u8.ToArray();
    var started = DateTime.UtcNow;
    app.MapGet("/cl", (HttpContext c) => Write(c));
    app.MapGet("/stall", async (HttpContext c) =>
    {
        // Frozen during the first second of every ten: a request arriving then waits for the thaw.
        var phase = (DateTime.UtcNow - started).TotalMilliseconds % 10_000;
        if (phase < 1_000)
            await Task.Delay(TimeSpan.FromMilliseconds(1_000 - phase));
        await Write(c);
    });
    await app.RunAsync();
    return 0;

    Task Write(HttpContext c)
    {
        c.Response.ContentLength = body.Length;
        c.Response.ContentType = "text/plain";
        return c.Response.Body.WriteAsync(body).AsTask();
    }
}

var url = new Uri(Arg("url", "http://127.0.0.1:5080/cl"));
var duration = K6Duration.Parse(Arg("duration", "10s"));
var http = new HttpConfig
{
    MaxConnections = arguments.TryGetValue("max-connections", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : null,
    Timeout = TimeSpan.FromSeconds(30),
    Transport = Arg("transport", "lean") == "sockets" ? HttpTransport.Sockets : HttpTransport.Lean,
};
LoadConfig load = arguments.TryGetValue("rate", out var rate)
    ? new LoadConfig
    {
        Executor = ExecutorKind.ConstantArrivalRate,
        Rate = int.Parse(rate, CultureInfo.InvariantCulture),
        TimeUnit = TimeSpan.FromSeconds(1),
        Duration = duration,
        PreAllocatedVus = int.Parse(Arg("vus", "100"), CultureInfo.InvariantCulture),
        MaxVus = int.Parse(Arg("max-vus", "2000"), CultureInfo.InvariantCulture),
        GracefulStop = TimeSpan.FromSeconds(5),
        OnSaturation = Arg("on-saturation", "wait") == "drop" ? SaturationPolicy.Drop : SaturationPolicy.Wait,
        Http = http,
    }
    : new LoadConfig
    {
        Executor = ExecutorKind.ConstantVus,
        Vus = int.Parse(Arg("vus", "64"), CultureInfo.InvariantCulture),
        Duration = duration,
        GracefulStop = TimeSpan.FromSeconds(5),
        Http = http,
    };
var think = K6Duration.Parse(Arg("think", "0"));
var target = url; // parsed once, as wrk does
var scenario = Scenario.Create("get", async ctx =>
{
    using var response = await ctx.Http.GetAsync(target);
}).WithThinkTime(think);

var options = new LoadRunOptions { Scenarios = [scenario], Load = load, BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)) };
if (arguments.TryGetValue("warmup", out var warmup))
{
    // A short run with the same settings, thrown away: JIT and connections, as wrk2's calibration period.
    await new LoadRunner(options with { Load = load with { Duration = K6Duration.Parse(warmup) } }).RunAsync();
}

var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var result = await new LoadRunner(options).RunAsync();
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
var requests = result.Scenarios[0].Requests;
var summary = new
{
    tool = "zoptal",
    requests = requests.Requests,
    errors = requests.Failed,
    seconds = result.Duration.TotalSeconds,
    rps = requests.Requests / Math.Max(0.001, Math.Min(result.Duration.TotalSeconds, duration.TotalSeconds)),
    latency_p50_ms = requests.Latency.P50,
    latency_p99_ms = requests.Latency.P99,
    latency_corrected_p99_ms = requests.LatencyCorrected.P99,
    latency_max_ms = requests.Latency.Max,
    service_p50_ms = requests.ServiceTime.P50,
    service_p99_ms = requests.ServiceTime.P99,
    schedule_lag_p99_ms = result.Scenarios[0].ScheduleLag.P99,
    iterations = result.Scenarios[0].Iterations,
    dropped = result.Scenarios[0].DroppedIterations,
    planned = result.Scenarios[0].PlannedIterations,
    vus_max = result.VusMax,
    generator_cpu_max_percent = result.Generator.Count == 0 ? 0 : result.Generator.Max(g => g.CpuPercent),
    generator_rss_max_mb = result.Generator.Count == 0 ? 0 : result.Generator.Max(g => g.ResidentBytes) / 1048576.0,
    gc_heap_max_mb = result.Generator.Count == 0 ? 0 : result.Generator.Max(g => g.GcHeapBytes) / 1048576.0,
    threads_max = result.Generator.Count == 0 ? 0 : result.Generator.Max(g => g.ThreadPoolThreads),
    allocated_bytes_per_request = requests.Requests == 0 ? 0 : allocated / requests.Requests,
};
if (arguments.ContainsKey("intervals"))
{
    foreach (var i in result.Intervals)
        Console.Error.WriteLine($"{i.Elapsed.TotalSeconds,6:0.0}s req {i.Requests,7} lag p99 {i.ScheduleLagP99,8:0.000} ms  latency p99 {i.LatencyP99,8:0.000} ms  vus {i.Vus,5}");
    foreach (var g in result.Generator)
        Console.Error.WriteLine($"{g.Elapsed.TotalSeconds,6:0.0}s cpu {g.CpuPercent,5:0.0}%  rss {g.ResidentBytes / 1048576.0,6:0.0} MB  gc {g.GcHeapBytes / 1048576.0,6:0.0} MB");
}

Console.WriteLine(JsonSerializer.Serialize(summary));
return 0;
