using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Validation;

/// <summary>
/// The resilience attribute types and the symbols <see cref="AttributeRules"/> compares against, resolved once per
/// compilation (or transform) by the generator and the analyzers alike.
/// </summary>
internal sealed class RuleSymbols
{
    private readonly INamedTypeSymbol?[] _attributes;

    public RuleSymbols(Compilation compilation)
    {
        Compilation = compilation;
        _attributes = new INamedTypeSymbol?[7];
        _attributes[(int)AttributeKind.Fallback] = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        _attributes[(int)AttributeKind.CacheFallback] = compilation.GetTypeByMetadataName("Resilience.CacheFallbackAttribute");
        _attributes[(int)AttributeKind.RateLimit] = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        _attributes[(int)AttributeKind.Bulkhead] = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        _attributes[(int)AttributeKind.Timeout] = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        _attributes[(int)AttributeKind.CircuitBreaker] = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
        _attributes[(int)AttributeKind.Retry] = compilation.GetTypeByMetadataName("Resilience.RetryAttribute");
        RetryPolicy = compilation.GetTypeByMetadataName("Resilience.IRetryPolicy");
        TripPolicy = compilation.GetTypeByMetadataName("Resilience.ITripPolicy");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        AsyncEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol? RetryPolicy { get; }

    public INamedTypeSymbol? TripPolicy { get; }

    public INamedTypeSymbol? Exception { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? AsyncEnumerable { get; }

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Threading.CancellationToken"/>.</summary>
    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>Whether <paramref name="type"/> is a constructed <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, AsyncEnumerable);

    /// <summary>Whether the compilation references the runtime (it declares <c>RetryAttribute</c>).</summary>
    public bool HasRuntime => _attributes[(int)AttributeKind.Retry] is not null;

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
