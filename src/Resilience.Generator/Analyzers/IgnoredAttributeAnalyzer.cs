using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports a resilience attribute where nothing reads it (RES0022): on a method of a class, struct or record (an
/// explicit interface implementation and an accessor included), on a local function or on a lambda. The generator
/// decorates interfaces only. On a class itself the attributes are a compiler error already (CS0592: their usage is
/// <c>Method | Interface</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IgnoredAttributeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.AttributeIgnoredOutsideInterface);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) =>
            {
                start.RegisterSymbolAction(context => AnalyzeMethod(context, symbols), SymbolKind.Method);
                start.RegisterSyntaxNodeAction(
                    context => AnalyzeFunction(context, symbols),
                    SyntaxKind.LocalFunctionStatement,
                    SyntaxKind.ParenthesizedLambdaExpression,
                    SyntaxKind.SimpleLambdaExpression);
            });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, ResilienceSymbols symbols)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.ContainingType is not { TypeKind: TypeKind.Class or TypeKind.Struct } type)
        {
            return;
        }

        var implemented = ImplementedInterfaceMethod(method, type);
        var hint = implemented is not null
            ? $"put it on '{implemented.ContainingType.Name}.{implemented.Name}' in the interface, and register the class with AddResilient<{implemented.ContainingType.Name}, {type.Name}>()"
            : "declare the method on an interface, put the attribute there and call the class through the generated decorator";
        Report(context.ReportDiagnostic, method, symbols, $"'{type.Name}.{method.Name}'", hint, context.CancellationToken);
    }

    private static void AnalyzeFunction(SyntaxNodeAnalysisContext context, ResilienceSymbols symbols)
    {
        var symbol = context.Node is Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax
            ? context.SemanticModel.GetDeclaredSymbol(context.Node, context.CancellationToken)
            : context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol;
        if (symbol is not IMethodSymbol method)
        {
            return;
        }

        var subject = method.MethodKind == MethodKind.LocalFunction ? $"the local function '{method.Name}'" : "a lambda";
        Report(context.ReportDiagnostic, method, symbols, subject, "move the work into a method of an interface and put the attribute there", context.CancellationToken);
    }

    private static void Report(System.Action<Diagnostic> report, IMethodSymbol method, ResilienceSymbols symbols, string subject, string hint, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (symbols.TryGetKind(attribute, out var kind))
            {
                var location = AttributeLocations.Attribute(attribute, cancellationToken);
                if (location.IsInSource)
                {
                    report(Diagnostic.Create(
                        DiagnosticDescriptors.AttributeIgnoredOutsideInterface,
                        location,
                        ResilienceAttribute.GetName(kind),
                        subject,
                        hint));
                }
            }
        }
    }

    /// <summary>The interface method <paramref name="method"/> implements (explicitly or implicitly), if any.</summary>
    private static IMethodSymbol? ImplementedInterfaceMethod(IMethodSymbol method, INamedTypeSymbol type)
    {
        if (!method.ExplicitInterfaceImplementations.IsEmpty)
        {
            return method.ExplicitInterfaceImplementations[0];
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                {
                    return member;
                }
            }
        }

        return null;
    }
}
