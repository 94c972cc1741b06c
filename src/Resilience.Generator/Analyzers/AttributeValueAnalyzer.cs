using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports attribute settings out of their documented range (RES0005), policy types that cannot be created
/// (RES0008) and per-key settings on an attribute without <c>KeyParameter</c> (RES0017, a warning), on the argument
/// that sets them, wherever the attribute is written. The rules are
/// <see cref="AttributeRules"/>, which the generator applies too.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttributeValueAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidAttributeValue,
        DiagnosticDescriptors.PolicyTypeInvalid,
        DiagnosticDescriptors.KeyedSettingWithoutKey);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) => start.RegisterSymbolAction(context => Analyze(context, symbols), SymbolKind.NamedType, SymbolKind.Method));
    }

    private static void Analyze(SymbolAnalysisContext context, ResilienceSymbols symbols)
    {
        foreach (var attribute in ResilientInterface.Read(context.Symbol, symbols, context.Symbol is INamedTypeSymbol))
        {
            foreach (var violation in AttributeRules.Check(attribute.Kind, attribute.Data, symbols.Rules))
            {
                context.ReportDiagnostic(Create(attribute, violation, context.CancellationToken));
            }
        }
    }

    private static Diagnostic Create(ResilienceAttribute attribute, AttributeViolation violation, CancellationToken cancellationToken)
    {
        var data = attribute.Data;
        switch (violation.Kind)
        {
            case ViolationKind.PolicyType:
                return Diagnostic.Create(
                    DiagnosticDescriptors.PolicyTypeInvalid,
                    AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken),
                    attribute.Name + " " + violation.Setting,
                    violation.Value,
                    violation.Message);
            case ViolationKind.KeyedOnly:
                return Diagnostic.Create(
                    DiagnosticDescriptors.KeyedSettingWithoutKey,
                    AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken),
                    attribute.Name,
                    violation.Message);
            case ViolationKind.Element:
                return Invalid(attribute, AttributeLocations.NamedArgumentElement(data, violation.Setting, violation.Index, cancellationToken), violation);
            case ViolationKind.ConstructorArgument:
                return Invalid(attribute, AttributeLocations.ConstructorArgument(data, violation.Setting, violation.Index, cancellationToken), violation);
            default:
                return Invalid(attribute, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), violation);
        }
    }

    private static Diagnostic Invalid(ResilienceAttribute attribute, Location location, AttributeViolation violation)
        => Diagnostic.Create(DiagnosticDescriptors.InvalidAttributeValue, location, attribute.Name, violation.Message);
}
