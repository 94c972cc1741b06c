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
        Obsolete = compilation.GetTypeByMetadataName("System.ObsoleteAttribute");
    }

    public Compilation Compilation { get; }

    /// <summary>The symbols the attribute value rules use.</summary>
    public RuleSymbols Rules { get; }

    public INamedTypeSymbol? CancellationToken => Rules.CancellationToken;

    public INamedTypeSymbol? AsyncEnumerable => Rules.AsyncEnumerable;

    public INamedTypeSymbol? Obsolete { get; }

    public bool IsCancellationToken(ITypeSymbol type) => Rules.IsCancellationToken(type);

    public bool IsAsyncEnumerable(ITypeSymbol type) => Rules.IsAsyncEnumerable(type);

    /// <summary>The kind of resilience attribute <paramref name="attribute"/> is, if any.</summary>
    public bool TryGetKind(AttributeData attribute, out AttributeKind kind) => Rules.TryGetKind(attribute, out kind);
}
