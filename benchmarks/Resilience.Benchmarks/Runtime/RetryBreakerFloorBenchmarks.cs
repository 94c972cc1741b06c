using System.Runtime.ExceptionServices;
using BenchmarkDotNet.Attributes;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Where the cost of a retry + breaker decorator over a synchronously completing <see cref="ValueTask{TResult}"/> goes:
/// hand-written methods that add the generated code's parts one at a time (the async method and its failure capture,
/// the telemetry scope, the breaker's lease, the retry loop), beside the direct call and the generated decorator.
/// Every row makes the same interface call to the same inner service. Consecutive-failures breaker, as
/// <see cref="RetryBreakerBenchmarks.GeneratedConsecutive"/>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class RetryBreakerFloorBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly IConsecutiveBreakerService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IConsecutiveBreakerService _proxy = null!;
    private CallTelemetry _telemetry = null!;
    private CircuitBreaker _breaker = null!;
    private RetryStrategy _retry = null!;

    /// <summary>Creates the generated proxy and the strategies the hand-written rows use.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new ConsecutiveBreakerServiceResilient(new ImmediateService(), _registry);
        _token = _caller.Token;
        _telemetry = _registry.Telemetry.CreateCall("Floor.IService", "GetAsync");
        _breaker = _registry.GetOrAddCircuitBreaker("floor", new CircuitBreakerOptions
        {
            FailureThreshold = Settings.FailureThreshold,
            BreakDuration = TimeSpan.FromMilliseconds(Settings.BreakDurationMs),
        });
        _retry = _registry.GetOrAddRetry("floor", new RetryOptions
        {
            MaxRetries = Settings.MaxRetries,
            Delay = TimeSpan.FromMilliseconds(Settings.RetryDelayMs),
            Backoff = BackoffType.Exponential,
            Jitter = Settings.RetryJitter,
        });
    }

    /// <summary>Disposes the registry and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>An async method that captures a failure as a value and rethrows it at the end: no strategy.</summary>
    [Benchmark]
    public async ValueTask<int> AsyncShell()
    {
        Exception? error = null;
        int result = 0;
        try
        {
            ValueTask<int> call = _inner.GetAsync(Id, _token);
            if (!GeneratedCodeHelpers.TryComplete(call, out result, out error))
            {
                result = await call.ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }

    /// <summary><see cref="AsyncShell"/> plus the telemetry scope (nobody listening).</summary>
    [Benchmark]
    public async ValueTask<int> ShellAndScope()
    {
        CallScope scope = _telemetry.Start();
        Exception? error = null;
        int result = 0;
        try
        {
            try
            {
                ValueTask<int> call = _inner.GetAsync(Id, _token);
                if (!GeneratedCodeHelpers.TryComplete(call, out result, out error))
                {
                    result = await call.ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (error is not null)
            {
                scope.Failed(error);
            }
        }
        finally
        {
            scope.Dispose();
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }

    /// <summary><see cref="ShellAndScope"/> plus the breaker's lease (acquire, record the success).</summary>
    [Benchmark]
    public async ValueTask<int> ShellScopeAndBreaker()
    {
        CallScope scope = _telemetry.Start();
        Exception? error = null;
        int result = 0;
        try
        {
            CircuitBreakerLease lease = default;
            try
            {
                if (_breaker.TryAcquire(out lease, out BrokenCircuitException? rejection))
                {
                    ValueTask<int> call = _inner.GetAsync(Id, _token);
                    if (!GeneratedCodeHelpers.TryComplete(call, out result, out error))
                    {
                        result = await call.ConfigureAwait(false);
                    }

                    if (error is null)
                    {
                        lease.RecordSuccess();
                    }
                }
                else
                {
                    error = rejection;
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (error is not null)
            {
                lease.RecordException(error, _token);
                scope.Failed(error);
            }
        }
        finally
        {
            scope.Dispose();
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }

    /// <summary><see cref="ShellScopeAndBreaker"/> plus the retry loop (attempt span hook, retry decision on failure).</summary>
    [Benchmark]
    public async ValueTask<int> ShellScopeBreakerAndRetry()
    {
        CallScope scope = _telemetry.Start();
        Exception? error = null;
        int result = 0;
        try
        {
            CircuitBreakerLease lease = default;
            try
            {
                if (_breaker.TryAcquire(out lease, out BrokenCircuitException? rejection))
                {
                    for (int attempt = 1; ; attempt++)
                    {
                        scope.StartAttempt(attempt);
                        try
                        {
                            ValueTask<int> call = _inner.GetAsync(Id, _token);
                            if (!GeneratedCodeHelpers.TryComplete(call, out result, out error))
                            {
                                result = await call.ConfigureAwait(false);
                            }
                        }
                        catch (Exception ex)
                        {
                            error = ex;
                        }

                        if (error is null)
                        {
                            lease.RecordSuccess();
                            break;
                        }

                        if (lease.IsCircuitOpen || !_retry.ShouldRetry(error, attempt, _token))
                        {
                            break;
                        }

                        error = null;
                    }
                }
                else
                {
                    error = rejection;
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (error is not null)
            {
                lease.RecordException(error, _token);
                scope.Failed(error);
            }
        }
        finally
        {
            scope.Dispose();
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }

    /// <summary>The generated decorator (retry + consecutive-failures breaker).</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);
}
