using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>The symbols the analyzers compare against, resolved once per compilation.</summary>
internal sealed class ResilienceSymbols
{
    private readonly INamedTypeSymbol?[] _attributes;

    private ResilienceSymbols(Compilation compilation, INamedTypeSymbol retry)
    {
        Compilation = compilation;
        Rules = new RuleSymbols(compilation);
        _attributes = new INamedTypeSymbol?[7];
        _attributes[(int)AttributeKind.Retry] = retry;
        _attributes[(int)AttributeKind.Fallback] = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        _attributes[(int)AttributeKind.CacheFallback] = compilation.GetTypeByMetadataName("Resilience.CacheFallbackAttribute");
        _attributes[(int)AttributeKind.RateLimit] = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        _attributes[(int)AttributeKind.Bulkhead] = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        _attributes[(int)AttributeKind.Timeout] = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        _attributes[(int)AttributeKind.CircuitBreaker] = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        AsyncEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
    }

    public Compilation Compilation { get; }

    /// <summary>The symbols the attribute value rules use.</summary>
    public RuleSymbols Rules { get; }

    public INamedTypeSymbol? Exception => Rules.Exception;

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
    public bool IsException(ITypeSymbol? type) => AttributeRules.IsException(type, Exception);

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Threading.CancellationToken"/>.</summary>
    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>Whether <paramref name="type"/> is a constructed <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, AsyncEnumerable);
}
