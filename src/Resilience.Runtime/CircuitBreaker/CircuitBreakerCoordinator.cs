namespace Resilience;

/// <summary>
/// Shares a breaker's state with breakers of the same name elsewhere (other processes): it hears of the transitions the
/// breaker makes itself, may refuse its half-open probes, and moves it with <see cref="CircuitBreaker.OpenRemotely"/> and
/// <see cref="CircuitBreaker.CloseRemotely"/> (reason <see cref="CircuitTransitionReason.Remote"/>). The Resilience.Redis
/// package has one; an <see cref="ICircuitBreakerCoordinatorProvider"/> in the container hands it to the registry.
/// </summary>
/// <remarks>
/// The breaker calls its coordinator only when its state changes and when it is about to admit a half-open probe:
/// acquiring and recording outcomes while the circuit is closed never reach it (no cost on the success path). A
/// coordinator's members must not throw and must not block on I/O, except <see cref="TryAcquireProbe"/>, which may
/// wait a short, bounded time.
/// </remarks>
public abstract class CircuitBreakerCoordinator
{
    /// <summary>
    /// For a keyed breaker: whether the circuit of <paramref name="key"/> is shared (only those get this coordinator).
    /// Default: none.
    /// </summary>
    /// <param name="key">The key, as the call gave it.</param>
    public virtual bool SharesKey(object? key) => false;

    /// <summary>
    /// Called once for each breaker that gets this coordinator (the breaker, or one key's breaker of a keyed one, also
    /// when an evicted key's breaker is created again), before its first call.
    /// </summary>
    /// <param name="breaker">The breaker to drive.</param>
    /// <param name="key">The key of a keyed breaker's circuit; <see langword="null"/> for a breaker that is not keyed.</param>
    public virtual void Attach(CircuitBreaker breaker, object? key)
    {
    }

    /// <summary>
    /// Called after <paramref name="breaker"/> changed state by itself (trip, break elapsed, probe outcome,
    /// <see cref="CircuitBreaker.Isolate"/>, <see cref="CircuitBreaker.Reset"/>), outside its lock, on the thread that
    /// caused it. Never called for a <see cref="CircuitTransitionReason.Remote"/> change.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="change">The change; <see cref="CircuitStateChangedEventArgs.Key"/> names a keyed breaker's key.</param>
    public abstract void OnStateChanged(CircuitBreaker breaker, CircuitStateChangedEventArgs change);

    /// <summary>
    /// Called when the half-open <paramref name="breaker"/> is about to admit a probe that its own
    /// <see cref="CircuitBreakerOptions.HalfOpenMaxCalls"/> allows; <see langword="false"/> rejects the call with a
    /// <see cref="BrokenCircuitException"/> in <see cref="CircuitState.HalfOpen"/>. Default: admit.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="key">The key of a keyed breaker's circuit; <see langword="null"/> for a breaker that is not keyed.</param>
    public virtual bool TryAcquireProbe(CircuitBreaker breaker, object? key) => true;
}

/// <summary>
/// Asked by <see cref="ResilienceRegistry"/> (the one <c>AddResilienceRegistry</c> registers asks every provider in the
/// container) once per breaker it creates: a coordinator to share that breaker's state, or <see langword="null"/>.
/// </summary>
public interface ICircuitBreakerCoordinatorProvider
{
    /// <summary>Returns the coordinator of the breaker named <paramref name="name"/>, or <see langword="null"/> to keep it local.</summary>
    /// <param name="name">The breaker's name.</param>
    /// <param name="options">Its effective settings (configuration applied); a copy.</param>
    /// <param name="isKeyed">Whether it is a keyed breaker (one circuit per key: see <see cref="CircuitBreakerCoordinator.SharesKey"/>).</param>
    CircuitBreakerCoordinator? CreateCoordinator(string name, CircuitBreakerOptions options, bool isKeyed);
}
