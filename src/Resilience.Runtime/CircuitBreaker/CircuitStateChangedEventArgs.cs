namespace Resilience;

/// <summary>Describes a state change of a <see cref="CircuitBreaker"/>.</summary>
public sealed class CircuitStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="name">The breaker's name.</param>
    /// <param name="oldState">The state before the change.</param>
    /// <param name="newState">The state after the change.</param>
    /// <param name="reason">Why the state changed.</param>
    /// <param name="counts">The counts at the moment of the change.</param>
    public CircuitStateChangedEventArgs(string name, CircuitState oldState, CircuitState newState, CircuitTransitionReason reason, CircuitCounts counts)
    {
        Name = name;
        OldState = oldState;
        NewState = newState;
        Reason = reason;
        Counts = counts;
    }

    /// <summary>Creates the event data of one key's breaker of a <see cref="KeyedCircuitBreaker{TKey}"/>.</summary>
    /// <param name="name">The keyed breaker's name.</param>
    /// <param name="key">The key whose circuit changed; <see langword="null"/> for the <see langword="null"/> key.</param>
    /// <param name="oldState">The state before the change.</param>
    /// <param name="newState">The state after the change.</param>
    /// <param name="reason">Why the state changed.</param>
    /// <param name="counts">The counts at the moment of the change.</param>
    public CircuitStateChangedEventArgs(string name, object? key, CircuitState oldState, CircuitState newState, CircuitTransitionReason reason, CircuitCounts counts)
        : this(name, oldState, newState, reason, counts)
    {
        Key = key;
        IsKeyed = true;
    }

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>The state before the change.</summary>
    public CircuitState OldState { get; }

    /// <summary>The state after the change.</summary>
    public CircuitState NewState { get; }

    /// <summary>Why the state changed.</summary>
    public CircuitTransitionReason Reason { get; }

    /// <summary>The counts at the moment of the change.</summary>
    public CircuitCounts Counts { get; }

    /// <summary>Whether the breaker is one key's breaker of a <see cref="KeyedCircuitBreaker{TKey}"/> (then <see cref="Key"/> says which).</summary>
    public bool IsKeyed { get; }

    /// <summary>The key whose circuit changed (boxed), when <see cref="IsKeyed"/>; else <see langword="null"/>.</summary>
    public object? Key { get; }
}
