using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Parsing;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports interfaces whose decorator name is already taken (RES0019), which the generator skips: mirrors
/// <see cref="InterfaceParser.FindClashingType"/> (a type of the decorator's name and arity in the namespace) and the
/// clash check of <c>ResilienceGenerator.Distinct</c> (two interfaces of one namespace with one decorator name).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DecoratorNameAnalyzer : DiagnosticAnalyzer
{
    private static readonly SymbolDisplayFormat Display = SymbolDisplayFormat.CSharpErrorMessageFormat;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.DecoratorNameClash);

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
        if (type.Locations.IsEmpty || !IsGenerated(type))
        {
            return;
        }

        var className = InterfaceParser.ClassNameOf(type);
        var arity = InterfaceParser.AllTypeParameters(type).Length;
        string? takenBy = null;
        if (InterfaceParser.FindClashingType(type, className) is { } existing)
        {
            takenBy = $"the type '{existing.ToDisplayString(Display)}'";
        }
        else
        {
            foreach (var other in InterfacesIn(type.ContainingNamespace))
            {
                if (!SymbolEqualityComparer.Default.Equals(other, type)
                    && InterfaceParser.ClassNameOf(other) == className
                    && InterfaceParser.AllTypeParameters(other).Length == arity
                    && IsGenerated(other)
                    && ResilientInterface.Create(other, symbols, context.CancellationToken) is not null)
                {
                    takenBy = $"the decorator of '{other.ToDisplayString(Display)}'";
                    break;
                }
            }
        }

        if (takenBy is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DecoratorNameClash, type.Locations[0], type.ToDisplayString(Display), className, takenBy));
        }
    }

    /// <summary>Whether the generator would write a decorator for <paramref name="type"/> were its name free (RES0014 covers the rest).</summary>
    private static bool IsGenerated(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal || current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Source interfaces declared in <paramref name="ns"/>, nested ones included.</summary>
    private static IEnumerable<INamedTypeSymbol> InterfacesIn(INamespaceSymbol ns)
    {
        var pending = new Stack<INamedTypeSymbol>(ns.GetTypeMembers());
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var nested in current.GetTypeMembers())
            {
                pending.Push(nested);
            }

            if (current.TypeKind == TypeKind.Interface && !current.DeclaringSyntaxReferences.IsEmpty)
            {
                yield return current;
            }
        }
    }
}
