using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime.Kernel;

/// <summary>The operation a kernel-based generated method would build: the inner instance and the arguments.</summary>
/// <remarks>
/// Not generic over the service type: a struct generic over a reference type shares its code (<c>__Canon</c>), and so
/// does the kernel instantiated over it, which then looks its generic context up at run time.
/// </remarks>
public readonly struct GetOperation(IRetryBreakerService inner, int id) : IOperation<int>
{
    /// <inheritdoc />
    public static bool HasFallback => false;

    /// <inheritdoc />
    public ValueTask<int> InvokeAsync(CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> FallbackAsync(Exception error) => throw new NotSupportedException();
}

/// <summary>The same operation on <see cref="ITimeoutBreakerRetryService"/>.</summary>
public readonly struct TimedGetOperation(ITimeoutBreakerRetryService inner, int id) : IOperation<int>
{
    /// <inheritdoc />
    public static bool HasFallback => false;

    /// <inheritdoc />
    public ValueTask<int> InvokeAsync(CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> FallbackAsync(Exception error) => throw new NotSupportedException();
}

/// <summary>
/// What the generator would emit for <see cref="IRetryBreakerService"/> over the kernel: the same instances (same names
/// and options as the generated <c>RetryBreakerServiceResilient</c>), and a one-line method.
/// </summary>
public sealed class KernelRetryBreakerService : IRetryBreakerService
{
    private readonly IRetryBreakerService _inner;
    private readonly KernelPipeline<int> _getAsync;

    /// <summary>Creates the decorator.</summary>
    public KernelRetryBreakerService(IRetryBreakerService inner, ResilienceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _inner = inner;
        const string Name = "Resilience.Benchmarks.Services.IRetryBreakerService.GetAsync";
        _getAsync = new KernelPipeline<int>(
            registry.Telemetry.CreateCall("Resilience.Benchmarks.Services.IRetryBreakerService", "GetAsync"),
            breaker: registry.GetOrAddCircuitBreaker(Name, KernelSettings.Breaker()),
            retry: registry.GetOrAddRetry(Name, KernelSettings.Retry()));
    }

    /// <inheritdoc />
    public ValueTask<int> GetAsync(int id, CancellationToken cancellationToken)
        => _getAsync.ExecuteAsync(new GetOperation(_inner, id), cancellationToken);
}

/// <summary>What the generator would emit for <see cref="ITimeoutBreakerRetryService"/> over the kernel.</summary>
public sealed class KernelTimeoutBreakerRetryService : ITimeoutBreakerRetryService
{
    private readonly ITimeoutBreakerRetryService _inner;
    private readonly KernelPipeline<int> _getAsync;

    /// <summary>Creates the decorator.</summary>
    public KernelTimeoutBreakerRetryService(ITimeoutBreakerRetryService inner, ResilienceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _inner = inner;
        const string Name = "Resilience.Benchmarks.Services.ITimeoutBreakerRetryService.GetAsync";
        _getAsync = new KernelPipeline<int>(
            registry.Telemetry.CreateCall("Resilience.Benchmarks.Services.ITimeoutBreakerRetryService", "GetAsync"),
            timeout: registry.GetOrAddTimeout(Name, TimeSpan.FromMilliseconds(Settings.TimeoutMs)),
            breaker: registry.GetOrAddCircuitBreaker(Name, KernelSettings.Breaker()),
            retry: registry.GetOrAddRetry(Name, KernelSettings.Retry()));
    }

    /// <inheritdoc />
    public ValueTask<int> GetAsync(int id, CancellationToken cancellationToken)
        => _getAsync.ExecuteAsync(new TimedGetOperation(_inner, id), cancellationToken);
}

/// <summary>The options the generated decorators of the benchmark interfaces pass (<see cref="Settings"/>).</summary>
internal static class KernelSettings
{
    public static CircuitBreakerOptions Breaker() => new()
    {
        FailureRatio = Settings.FailureRatio,
        MinimumThroughput = Settings.MinimumThroughput,
        SamplingDuration = TimeSpan.FromMilliseconds(Settings.SamplingDurationMs),
        BreakDuration = TimeSpan.FromMilliseconds(Settings.BreakDurationMs),
    };

    public static RetryOptions Retry() => new()
    {
        MaxRetries = Settings.MaxRetries,
        Delay = TimeSpan.FromMilliseconds(Settings.RetryDelayMs),
        Backoff = BackoffType.Exponential,
        Jitter = Settings.RetryJitter,
    };
}
