using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// The resilience attribute types and the other symbols the binder compares against, resolved once per compilation
/// (by each analyzer, and by the generator through <see cref="Of"/>).
/// </summary>
internal sealed class KnownSymbols
{
    /// <summary>
    /// The generator's symbols per compilation. Its transform runs once per interface, and each new compilation (every
    /// keystroke) would otherwise look up the same 17 types by metadata name 500 times in a 500-interface project (about
    /// 4 % of an incremental run). Weak keys: a compilation no longer used is collected with its entry.
    /// </summary>
    private static readonly ConditionalWeakTable<Compilation, KnownSymbols> ByCompilation = new();

    private readonly INamedTypeSymbol?[] _attributes;

    /// <summary>The symbols of <paramref name="compilation"/>, resolved on the first call for it.</summary>
    public static KnownSymbols Of(Compilation compilation) => ByCompilation.GetValue(compilation, static c => new KnownSymbols(c));

    public KnownSymbols(Compilation compilation)
    {
        Compilation = compilation;
        _attributes = new INamedTypeSymbol?[8];
        _attributes[(int)AttributeKind.Fallback] = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        _attributes[(int)AttributeKind.CacheFallback] = compilation.GetTypeByMetadataName("Resilience.CacheFallbackAttribute");
        _attributes[(int)AttributeKind.RateLimit] = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        _attributes[(int)AttributeKind.Bulkhead] = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        _attributes[(int)AttributeKind.Timeout] = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        _attributes[(int)AttributeKind.CircuitBreaker] = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
        _attributes[(int)AttributeKind.Retry] = compilation.GetTypeByMetadataName("Resilience.RetryAttribute");
        _attributes[(int)AttributeKind.Hedge] = compilation.GetTypeByMetadataName("Resilience.HedgeAttribute");
        RetryPolicy = compilation.GetTypeByMetadataName("Resilience.IRetryPolicy");
        TripPolicy = compilation.GetTypeByMetadataName("Resilience.ITripPolicy");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        AsyncEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    public Compilation Compilation { get; }

    /// <summary>
    /// Per namespace, its source interfaces (nested ones included) by the decorator class name each would get: built once
    /// per namespace and compilation, so the clash check of every interface is a lookup rather than a scan of the
    /// namespace (which made a keystroke quadratic in the number of interfaces in one namespace).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<INamespaceSymbol, Dictionary<string, List<INamedTypeSymbol>>> _interfacesByClassName
        = new(SymbolEqualityComparer.Default);

    /// <summary>The source interfaces of <paramref name="ns"/> whose decorator would be named <paramref name="className"/>.</summary>
    public IReadOnlyList<INamedTypeSymbol> InterfacesNamed(INamespaceSymbol ns, string className)
    {
        var byName = _interfacesByClassName.GetOrAdd(ns, static ns =>
        {
            var index = new Dictionary<string, List<INamedTypeSymbol>>(StringComparer.Ordinal);
            foreach (var type in InterfaceBinder.InterfacesIn(ns))
            {
                var name = InterfaceBinder.ClassNameOf(type);
                if (!index.TryGetValue(name, out var list))
                {
                    index[name] = list = new List<INamedTypeSymbol>(1);
                }

                list.Add(type);
            }

            return index;
        });
        return byName.TryGetValue(className, out var found) ? found : (IReadOnlyList<INamedTypeSymbol>)Array.Empty<INamedTypeSymbol>();
    }

    public INamedTypeSymbol? RetryPolicy { get; }

    public INamedTypeSymbol? TripPolicy { get; }

    public INamedTypeSymbol? Exception { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? AsyncEnumerable { get; }

    /// <summary><c>System.Threading.Tasks.Task</c>; with the next three, what every method's and fallback's return type is classified against.</summary>
    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    /// <summary>Whether the compilation references the runtime (it declares <c>RetryAttribute</c>).</summary>
    public bool HasRuntime => _attributes[(int)AttributeKind.Retry] is not null;

    /// <summary>The symbols, or <see langword="null"/> when the compilation does not reference Resilience.Runtime (the analyzers then do nothing).</summary>
    public static KnownSymbols? ForAnalysis(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.HasRuntime ? symbols : null;
    }

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Threading.CancellationToken"/>.</summary>
    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>Whether <paramref name="type"/> is a constructed <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, AsyncEnumerable);

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Exception"/> or derives from it.</summary>
    public bool IsException(ITypeSymbol? type) => AttributeRules.IsException(type, Exception);

    /// <summary>Which resilience attribute <paramref name="attribute"/> is, if any.</summary>
    public bool TryGetKind(AttributeData attribute, out AttributeKind kind)
    {
        var attributeClass = attribute.AttributeClass;
        if (attributeClass is not null)
        {
            for (var i = 0; i < _attributes.Length; i++)
            {
                if (_attributes[i] is { } known && SymbolEqualityComparer.Default.Equals(attributeClass, known))
                {
                    kind = (AttributeKind)i;
                    return true;
                }
            }
        }

        kind = default;
        return false;
    }
}
