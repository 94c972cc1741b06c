using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>The symbols the parser compares against, resolved once per transform.</summary>
internal sealed class KnownTypes
{
    public KnownTypes(Compilation compilation)
    {
        Compilation = compilation;
        Rules = new RuleSymbols(compilation);
        Retry = compilation.GetTypeByMetadataName("Resilience.RetryAttribute");
        CircuitBreaker = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
        RateLimit = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        Bulkhead = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        Timeout = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        Fallback = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        CacheFallback = compilation.GetTypeByMetadataName("Resilience.CacheFallbackAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        AsyncEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
        Obsolete = compilation.GetTypeByMetadataName("System.ObsoleteAttribute");
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol? Retry { get; }

    public INamedTypeSymbol? CircuitBreaker { get; }

    public INamedTypeSymbol? RateLimit { get; }

    public INamedTypeSymbol? Bulkhead { get; }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? Fallback { get; }

    public INamedTypeSymbol? CacheFallback { get; }

    /// <summary>The symbols the attribute value rules use.</summary>
    public RuleSymbols Rules { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? AsyncEnumerable { get; }

    public INamedTypeSymbol? Obsolete { get; }

    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    public bool IsAsyncEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, AsyncEnumerable);

    /// <summary>The kind of resilience attribute <paramref name="attribute"/> is, if any.</summary>
    public bool TryGetKind(AttributeData attribute, out ResilienceKind kind)
    {
        var type = attribute.AttributeClass;
        kind = default;
        if (type is null)
        {
            return false;
        }

        if (Is(type, Retry)) { kind = ResilienceKind.Retry; return true; }
        if (Is(type, CircuitBreaker)) { kind = ResilienceKind.CircuitBreaker; return true; }
        if (Is(type, RateLimit)) { kind = ResilienceKind.RateLimit; return true; }
        if (Is(type, Bulkhead)) { kind = ResilienceKind.Bulkhead; return true; }
        if (Is(type, Timeout)) { kind = ResilienceKind.Timeout; return true; }
        if (Is(type, Fallback)) { kind = ResilienceKind.Fallback; return true; }
        if (Is(type, CacheFallback)) { kind = ResilienceKind.CacheFallback; return true; }
        return false;
    }

    private static bool Is(INamedTypeSymbol type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
}
