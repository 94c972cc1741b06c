using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// The hot path when chaos is not used: retry + circuit breaker around a synchronously completing
/// <see cref="ValueTask{TResult}"/>, with no chaos configured, and with chaos configured for this very method but the
/// process-wide switch off. Both pay the same one check; neither allocates.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class ChaosOffBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly IRetryBreakerService _inner = new ImmediateService();
    private readonly ResilienceRegistry _plain = new();
    private ResilienceRegistry _configured = null!;
    private CancellationToken _token;
    private IRetryBreakerService _proxy = null!;
    private IRetryBreakerService _configuredProxy = null!;

    /// <summary>Creates both proxies.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var options = new ResilienceOptions();
        options.Instances[typeof(IRetryBreakerService).FullName + ".GetAsync"] = new ResilienceInstanceOptions
        {
            Chaos = new ChaosOverrides { Enabled = true, InjectionRate = 1, Fault = "TimeoutException" },
        };
        _configured = new ResilienceRegistry(null, null, new FixedOptions(options)); // Resilience:Chaos:Enabled stays false
        _proxy = new RetryBreakerServiceResilient(_inner, _plain);
        _configuredProxy = new RetryBreakerServiceResilient(_inner, _configured);
        _token = _caller.Token;
    }

    /// <summary>Disposes the registries and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _configured.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>The generated decorator; no chaos configured anywhere.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The generated decorator; chaos configured for this method, the process-wide switch off.</summary>
    [Benchmark]
    public ValueTask<int> GeneratedChaosConfiguredOff() => _configuredProxy.GetAsync(Id, _token);

    private sealed class FixedOptions(ResilienceOptions options) : IOptionsMonitor<ResilienceOptions>
    {
        public ResilienceOptions CurrentValue => options;

        public ResilienceOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<ResilienceOptions, string?> listener) => null;
    }
}
