using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports interfaces with resilience attributes that the generator skips because it cannot implement them (RES0014):
/// not visible from a class in their namespace (private or protected, or nested in such a type; file-local), or with
/// static abstract or static virtual members, or with a shape of <see cref="Validation.ShapeProblems"/> (an abstract
/// protected member, a type parameter named like the decorator's own fields and locals).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InterfaceShapeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InterfaceCannotBeImplemented);

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
        var problem = GetProblem(type);
        if (problem is not null && !type.Locations.IsEmpty)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InterfaceCannotBeImplemented, type.Locations[0], type.Name, problem));
        }
    }

    private static string? GetProblem(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                var which = SymbolEqualityComparer.Default.Equals(current, type) ? "it is" : $"its containing type '{current.Name}' is";
                return $"{which} private or protected, so a class in its namespace cannot see it; make it internal or public";
            }

            if (current.IsFileLocal)
            {
                var which = SymbolEqualityComparer.Default.Equals(current, type) ? "it is" : $"its containing type '{current.Name}' is";
                return $"{which} file-local, so the generated file cannot see it; remove the 'file' modifier";
            }
        }

        if (Validation.ShapeProblems.Of(type) is { } shapeProblem)
        {
            return shapeProblem;
        }

        var staticMember = FindStaticAbstract(type);
        foreach (var inherited in type.AllInterfaces)
        {
            staticMember ??= FindStaticAbstract(inherited);
        }

        return staticMember is null
            ? null
            : $"it has the static abstract or virtual member '{staticMember.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}', which a decorator instance cannot forward; move it to another interface";
    }

    private static ISymbol? FindStaticAbstract(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic && (member.IsAbstract || member.IsVirtual))
            {
                return member;
            }
        }

        return null;
    }
}
