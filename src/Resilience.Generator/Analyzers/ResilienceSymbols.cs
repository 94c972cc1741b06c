using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Analyzers;

/// <summary>The symbols the analyzers compare against, resolved once per compilation.</summary>
internal sealed class ResilienceSymbols
{
    private readonly INamedTypeSymbol?[] _attributes;

    private ResilienceSymbols(Compilation compilation, INamedTypeSymbol retry)
    {
        Compilation = compilation;
        _attributes = new INamedTypeSymbol?[7];
        _attributes[(int)AttributeKind.Retry] = retry;
        _attributes[(int)AttributeKind.Fallback] = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        _attributes[(int)AttributeKind.CacheFallback] = compilation.GetTypeByMetadataName("Resilience.CacheFallbackAttribute");
        _attributes[(int)AttributeKind.RateLimit] = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        _attributes[(int)AttributeKind.Bulkhead] = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        _attributes[(int)AttributeKind.Timeout] = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        _attributes[(int)AttributeKind.CircuitBreaker] = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
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

    /// <summary>The symbols, or <see langword="null"/> when the compilation does not reference Resilience.Runtime.</summary>
    public static ResilienceSymbols? Create(Compilation compilation)
    {
        var retry = compilation.GetTypeByMetadataName("Resilience.RetryAttribute");
        return retry is null ? null : new ResilienceSymbols(compilation, retry);
    }

    /// <summary>Which resilience attribute <paramref name="attribute"/> is, if any.</summary>
    public bool TryGetKind(AttributeData attribute, out AttributeKind kind)
    {
        var attributeClass = attribute.AttributeClass;
        if (attributeClass is not null)
        {
            for (var i = 0; i < _attributes.Length; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(attributeClass, _attributes[i]))
                {
                    kind = (AttributeKind)i;
                    return true;
                }
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Exception"/> or derives from it.</summary>
    public bool IsException(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, Exception))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Threading.CancellationToken"/>.</summary>
    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>Whether <paramref name="type"/> is a constructed <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, AsyncEnumerable);
}
