// The console sample: a scripted, deliberately flaky in-process downstream, called through generated resilient
// proxies, one short scene per strategy. Every line is an event with its time since start. Each scene checks what it
// demonstrated, so the program exits with 1 when something expected did not happen: it is also a smoke test.
//
//   dotnet run --project samples/Resilience.Samples.Console
//
// Each scene lives in Scenes/: the interface with its attributes (what you would write), a fake downstream with a
// fixed failure script, and the calls. Stage/ holds the console plumbing (event log, counters, self-checks, and the
// metrics report that listens to the library's meter).

using System.Globalization;
using Resilience;
using Resilience.Samples.Console.Scenes;
using Resilience.Samples.Console.Stage;

// Same numbers on every machine (19.90, not 19,90).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var log = new EventLog();
var tally = new Tally();

// One registry for the whole program: it owns the named strategy instances (breakers, limits, caches) and their
// clock. With dependency injection, services.AddResilient<IService, Implementation>() registers it for you.
using var registry = new ResilienceRegistry();

// Listens to the registry's meter from the first call on, the way OpenTelemetry or dotnet-counters would; printed
// after the summary and checked against it.
using var metrics = new MetricsReport(registry.Telemetry.Meter);
var demo = new Demo(log, tally, registry);

(string Name, Func<Demo, Task> Run)[] scenes =
[
    ("retry", RetryScene.RunAsync),
    ("circuit breaker", CircuitBreakerScene.RunAsync),
    ("fallback", FallbackScene.RunAsync),
    ("rate limit", RateLimitScene.RunAsync),
    ("bulkhead", BulkheadScene.RunAsync),
    ("timeout", TimeoutScene.RunAsync),
    ("cache fallback", CacheFallbackScene.RunAsync),
];

foreach ((string name, Func<Demo, Task> run) in scenes)
{
    try
    {
        await run(demo);
    }
    catch (Exception ex)
    {
        // Calls catch their own exceptions; anything arriving here is a bug in the sample or the library.
        demo.Expect(false, $"the {name} scene ran to the end, but it threw {ex}");
    }
}

// The counters were kept by the scenes and fake services while they ran; every strategy must have acted.
tally.Print(log);
demo.Expect(
    tally[Counter.Retries] > 0 && tally[Counter.CircuitOpenRejections] > 0 && tally[Counter.RateLimitRejections] > 0
    && tally[Counter.BulkheadRejections] > 0 && tally[Counter.Fallbacks] > 0 && tally[Counter.StaleAnswers] > 0
    && tally[Counter.Timeouts] > 0,
    "every strategy acted at least once");

metrics.Print(log);
metrics.CheckAgainst(demo);

bool passed = demo.FailedChecks == 0;
log.Plain(
    passed
        ? $"All {demo.Checks} checks passed in {log.Elapsed.TotalSeconds:0.00} s."
        : $"{demo.FailedChecks} of {demo.Checks} checks FAILED.",
    passed ? ConsoleColor.Green : ConsoleColor.Red);
return passed ? 0 : 1;
