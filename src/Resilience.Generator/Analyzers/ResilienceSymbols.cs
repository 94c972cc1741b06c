using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>The symbols the analyzers compare against, resolved once per compilation.</summary>
internal sealed class ResilienceSymbols
{
    private ResilienceSymbols(Compilation compilation, RuleSymbols rules)
    {
        Compilation = compilation;
        Rules = rules;
    }

    public Compilation Compilation { get; }

    /// <summary>The symbols the attribute value rules use.</summary>
    public RuleSymbols Rules { get; }

    public INamedTypeSymbol? Exception => Rules.Exception;

    public INamedTypeSymbol? CancellationToken => Rules.CancellationToken;

    public INamedTypeSymbol? AsyncEnumerable => Rules.AsyncEnumerable;

    /// <summary>The symbols, or <see langword="null"/> when the compilation does not reference Resilience.Runtime.</summary>
    public static ResilienceSymbols? Create(Compilation compilation)
    {
        var rules = new RuleSymbols(compilation);
        return rules.HasRuntime ? new ResilienceSymbols(compilation, rules) : null;
    }

    /// <summary>Which resilience attribute <paramref name="attribute"/> is, if any.</summary>
    public bool TryGetKind(AttributeData attribute, out AttributeKind kind) => Rules.TryGetKind(attribute, out kind);

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Exception"/> or derives from it.</summary>
    public bool IsException(ITypeSymbol? type) => AttributeRules.IsException(type, Exception);

    /// <summary>Whether <paramref name="type"/> is <see cref="System.Threading.CancellationToken"/>.</summary>
    public bool IsCancellationToken(ITypeSymbol type) => Rules.IsCancellationToken(type);

    /// <summary>Whether <paramref name="type"/> is a constructed <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public bool IsAsyncEnumerable(ITypeSymbol type) => Rules.IsAsyncEnumerable(type);
}
