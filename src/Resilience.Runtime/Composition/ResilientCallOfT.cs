namespace Resilience;

/// <summary>A composed resilient call from <see cref="ResilientCall.For{T}"/>. Thread-safe; build once, execute many times.</summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class ResilientCall<T>
{
    private ResilientCall() => throw new NotImplementedException();

    /// <summary>Runs <paramref name="action"/> through the strategies.</summary>
    /// <param name="action">The call; it receives the token to honour (linked to the timeout, if any).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<T> ExecuteAsync(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Runs <paramref name="action"/> with <paramref name="state"/> through the strategies, without a closure.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="action">The call; it receives the state and the token to honour.</param>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<T> ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask<T>> action, TState state, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
