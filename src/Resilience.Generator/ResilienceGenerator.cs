using Microsoft.CodeAnalysis;

namespace Resilience.Generator;

/// <summary>Turns resilience attributes on interfaces into generated <c>*Resilient</c> decorators.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class ResilienceGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
