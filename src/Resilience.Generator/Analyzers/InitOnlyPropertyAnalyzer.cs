using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports RES0023 for each property with an <c>init</c> accessor that a decorator implements: the generator forwards
/// its getter and emits an init accessor that throws <c>NotSupportedException</c> (<c>MemberEmitter.WriteProperty</c>),
/// because an init accessor may set only the object being initialized, never the already-built inner instance.
/// </summary>
/// <remarks>
/// Mirrors the generator's member walk (<c>InterfaceParser</c>): the interface's own members and those of every base
/// interface, abstract or with a default implementation. A property of the interface itself is reported on the
/// property; an inherited one on the interface, naming the property, so a base interface shared by several decorated
/// interfaces is reported once per decorator, where it is decorated.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InitOnlyPropertyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InitOnlyPropertyNotForwarded);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterPerInterface(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientInterface resilient, ResilienceSymbols symbols)
    {
        var type = resilient.Type;
        if (type.Locations.IsEmpty)
        {
            return;
        }

        Report(context, type, type, inherited: false);
        foreach (var inherited in type.AllInterfaces)
        {
            Report(context, type, inherited, inherited: true);
        }
    }

    private static void Report(SymbolAnalysisContext context, INamedTypeSymbol type, INamedTypeSymbol declaring, bool inherited)
    {
        foreach (var member in declaring.GetMembers())
        {
            if (member is not IPropertySymbol { IsStatic: false, SetMethod.IsInitOnly: true } property
                || !(property.IsAbstract || property.IsVirtual)
                || !property.ExplicitInterfaceImplementations.IsEmpty
                || property.DeclaredAccessibility == Accessibility.Private
                || (property.IsVirtual && Validation.ShapeProblems.IsProtected(property)))
            {
                continue;
            }

            var location = !inherited && !property.Locations.IsEmpty && property.Locations[0].IsInSource ? property.Locations[0] : type.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InitOnlyPropertyNotForwarded,
                location,
                type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                property.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
        }
    }
}
