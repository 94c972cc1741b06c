using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Validation;

/// <summary>The symbols <see cref="AttributeRules"/> compares against, resolved once per compilation by the generator and the analyzers alike.</summary>
internal sealed class RuleSymbols
{
    public RuleSymbols(Compilation compilation)
    {
        Compilation = compilation;
        RetryPolicy = compilation.GetTypeByMetadataName("Resilience.IRetryPolicy");
        TripPolicy = compilation.GetTypeByMetadataName("Resilience.ITripPolicy");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol? RetryPolicy { get; }

    public INamedTypeSymbol? TripPolicy { get; }

    public INamedTypeSymbol? Exception { get; }
}
