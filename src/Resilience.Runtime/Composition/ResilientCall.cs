namespace Resilience;

/// <summary>
/// Builds the same composition the generator emits, for code that cannot sit behind an interface (a lambda, a
/// third-party call): <c>ResilientCall.For&lt;T&gt;().WithRetry(...).WithCircuitBreaker(...).Build()</c>. The
/// strategies always run in the documented order, whatever order they were added in:
/// Fallback → CacheFallback → RateLimit → Bulkhead → Timeout → Hedge → CircuitBreaker → Retry → call.
/// </summary>
public static class ResilientCall
{
    /// <summary>Starts a composition for calls returning <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="registry">Where named instances are shared; <see cref="ResilienceRegistry.Shared"/> when <see langword="null"/>.</param>
    public static ResilientCallBuilder<T> For<T>(ResilienceRegistry? registry = null) => new(registry ?? ResilienceRegistry.Shared);
}
