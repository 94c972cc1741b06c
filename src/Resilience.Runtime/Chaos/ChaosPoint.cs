namespace Resilience;

/// <summary>
/// Where chaos can be injected: the inner call of one operation (a generated method or a <see cref="ResilientCall{T}"/>),
/// with the names that select its configuration. Owned by the registry, one per distinct operation and names; its
/// injector is <see langword="null"/> while chaos is off for it, which is the only thing a call reads.
/// </summary>
internal sealed class ChaosPoint
{
    private volatile ChaosInjector? _injector;

    internal ChaosPoint(string operationName, string[] names)
    {
        OperationName = operationName;
        Names = names;
    }

    /// <summary>The operation's name (<c>resilience.operation</c>).</summary>
    public string OperationName { get; }

    /// <summary>The names whose <c>Chaos</c> section applies, in order of precedence: the operation's, then its instances' (outermost first).</summary>
    public string[] Names { get; }

    public ChaosInjector? Injector
    {
        get => _injector;
        set => _injector = value;
    }
}
