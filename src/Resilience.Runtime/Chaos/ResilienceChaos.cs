using System.Collections.Concurrent;

namespace Resilience;

/// <summary>
/// The chaos injection of one <see cref="ResilienceRegistry"/> (<see cref="ResilienceRegistry.Chaos"/>): what a
/// configured <c>Fault</c> or <c>Result</c> name means, and where the randomness comes from. Whether and where chaos is
/// injected is decided by configuration only (<see cref="ResilienceChaosOptions"/>, <see cref="ChaosOverrides"/>); see docs/chaos.md.
/// </summary>
/// <remarks>Thread-safe. Registering a name applies at once to the instances whose configuration names it.</remarks>
public sealed class ResilienceChaos
{
    private readonly ResilienceRegistry _registry;
    private readonly ConcurrentDictionary<string, Func<Exception>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Delegate> _results = new(StringComparer.Ordinal);
    private Func<double> _randomSource = Random.Shared.NextDouble;

    internal ResilienceChaos(ResilienceRegistry registry) => _registry = registry;

    /// <summary>Whether the process-wide switch (<c>Resilience:Chaos:Enabled</c>) is on in the registry's current options.</summary>
    public bool IsEnabled => _registry.ChaosSwitch;

    /// <summary>
    /// Draws the number, in [0, 1), that decides whether an inner call gets an injection (one draw per attempt of a method
    /// whose chaos is on; an injection happens when it is below the injection rate). <see cref="Random.Shared"/> by
    /// default; tests set a seeded source. Called from any thread: make it thread-safe (lock a seeded <see cref="Random"/>).
    /// </summary>
    public Func<double> RandomSource
    {
        get => Volatile.Read(ref _randomSource);
        set => Volatile.Write(ref _randomSource, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Gives the fault name <paramref name="name"/> (for <see cref="ChaosOverrides.Fault"/>) the exceptions <paramref name="create"/> makes.</summary>
    /// <param name="name">The name configuration uses; replaces an earlier registration of it.</param>
    /// <param name="create">Makes the exception of one injection.</param>
    /// <returns>This object.</returns>
    public ResilienceChaos AddFault(string name, Func<Exception> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        _faults[name] = create;
        _registry.ReconfigureChaos();
        return this;
    }

    /// <summary>
    /// Gives the result name <paramref name="name"/> (for <see cref="ChaosOverrides.Result"/>) the values
    /// <paramref name="create"/> makes. A method returns one when its result type is <typeparamref name="T"/> or a base
    /// type of it (<c>Task&lt;T&gt;</c> and <c>ValueTask&lt;T&gt;</c> included); any other method fails the injected call with
    /// an <see cref="InvalidOperationException"/> naming both types.
    /// </summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="name">The name configuration uses; replaces an earlier registration of it; not <c>default</c>.</param>
    /// <param name="create">Makes the result of one injection.</param>
    /// <returns>This object.</returns>
    public ResilienceChaos AddResult<T>(string name, Func<T> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        if (string.Equals(name, ChaosOverrides.DefaultResult, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{name}' is the built-in result (the type's default value); choose another name.", nameof(name));
        }

        _results[name] = create;
        _registry.ReconfigureChaos();
        return this;
    }

    /// <summary>Removes a fault name registered with <see cref="AddFault"/>; instances configured with it stop injecting.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it was registered.</returns>
    public bool RemoveFault(string name)
    {
        bool removed = _faults.TryRemove(name, out _);
        _registry.ReconfigureChaos();
        return removed;
    }

    /// <summary>Removes a result name registered with <see cref="AddResult{T}"/>; instances configured with it stop injecting.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it was registered.</returns>
    public bool RemoveResult(string name)
    {
        bool removed = _results.TryRemove(name, out _);
        _registry.ReconfigureChaos();
        return removed;
    }

    internal double NextDouble() => Volatile.Read(ref _randomSource)();

    /// <summary>The factory of fault <paramref name="fault"/> for instance <paramref name="name"/>, or <see langword="null"/> when the name is unknown.</summary>
    internal Func<Exception>? ResolveFault(string fault, string? message, string name)
    {
        if (_faults.TryGetValue(fault, out Func<Exception>? registered))
        {
            return registered;
        }

        string text = message ?? $"Chaos: fault injected into '{name}'.";
        string kind = fault.StartsWith("System.", StringComparison.Ordinal) ? fault[(fault.LastIndexOf('.') + 1)..] : fault;
        return kind switch
        {
            "ChaosException" or "Resilience.ChaosException" => () => new ChaosException(text),
            "TimeoutException" => () => new TimeoutException(text),
            "HttpRequestException" => () => new System.Net.Http.HttpRequestException(text),
            "IOException" => () => new IOException(text),
            "SocketException" => () => new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused, text),
            "InvalidOperationException" => () => new InvalidOperationException(text),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="result"/> is known: <c>default</c> (<paramref name="provider"/> null) or a registered name.</summary>
    internal bool TryResolveResult(string result, out Delegate? provider)
    {
        if (string.Equals(result, ChaosOverrides.DefaultResult, StringComparison.OrdinalIgnoreCase))
        {
            provider = null;
            return true;
        }

        return _results.TryGetValue(result, out provider);
    }
}
