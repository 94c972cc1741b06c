using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Parsing;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports <c>[Fallback]</c>s that do not bind by the fallback binding rule (RES0001–RES0004, RES0016), and bound
/// ones that may return null for a non-nullable result (RES0020, a warning where the compiler would warn), using the
/// generator's own <see cref="FallbackResolver"/> so that both always agree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FallbackAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.FallbackNotFound,
        DiagnosticDescriptors.FallbackReturnTypeMismatch,
        DiagnosticDescriptors.FallbackParameterMismatch,
        DiagnosticDescriptors.FallbackExceptionParameterInvalid,
        DiagnosticDescriptors.FallbackAmbiguous,
        DiagnosticDescriptors.FallbackNullabilityMismatch);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterPerInterface(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientInterface resilient, ResilienceSymbols symbols)
    {
        // A name that resolves nowhere is the same for every method: report an interface-level one once.
        var reportedInterfaceLevelNotFound = false;
        foreach (var method in resilient.Methods)
        {
            var attribute = method.Get(AttributeKind.Fallback);
            if (attribute is null
                || MethodShape.GetProblem(method.Symbol, method.Shape, AttributeKind.Fallback, symbols) is not null
                || !FallbackArguments.TryRead(attribute.Data, out var arguments))
            {
                continue;
            }

            var nameOrdinal = arguments.HasHandler ? 1 : 0;
            var nameLocation = AttributeLocations.ConstructorArgument(attribute.Data, "methodName", nameOrdinal, context.CancellationToken);
            if (arguments.HasHandler && arguments.HandlerType is not INamedTypeSymbol)
            {
                var detail = arguments.HandlerType is null
                    ? "the handler type is null; pass typeof(YourHandler), or use [Fallback(nameof(Method))] for a method of the interface."
                    : $"the handler type '{arguments.HandlerType.ToDisplayString()}' is not a class, struct or interface; pass the type that declares the fallback.";
                if (!attribute.IsInterfaceLevel || !reportedInterfaceLevelNotFound)
                {
                    var handlerLocation = AttributeLocations.ConstructorArgument(attribute.Data, "handlerType", 0, context.CancellationToken);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FallbackNotFound, handlerLocation, DiagnosticText.Subject(method, attribute), detail));
                    reportedInterfaceLevelNotFound |= attribute.IsInterfaceLevel;
                }

                continue;
            }

            var resolution = FallbackResolver.Resolve(
                method.Symbol,
                resilient.Type,
                arguments.HandlerType as INamedTypeSymbol,
                arguments.MethodName ?? string.Empty,
                symbols.Compilation);

            var descriptor = resolution.Failure switch
            {
                FallbackFailure.None => null,
                FallbackFailure.NotFound => DiagnosticDescriptors.FallbackNotFound,
                FallbackFailure.ReturnTypeMismatch => DiagnosticDescriptors.FallbackReturnTypeMismatch,
                FallbackFailure.ParameterMismatch => DiagnosticDescriptors.FallbackParameterMismatch,
                FallbackFailure.InvalidExceptionParameter => DiagnosticDescriptors.FallbackExceptionParameterInvalid,
                _ => DiagnosticDescriptors.FallbackAmbiguous,
            };

            if (descriptor is null)
            {
                if (FallbackResolver.MayReturnNullForNonNullable(resolution, method.Symbol, symbols.Compilation, out var fallbackValue, out var methodValue))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.FallbackNullabilityMismatch,
                        DiagnosticText.Where(method, attribute, context.CancellationToken, nameLocation),
                        resolution.Fallback!.Name,
                        DiagnosticText.Subject(method, attribute),
                        fallbackValue!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)),
                        methodValue!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier))));
                }

                continue;
            }

            Location location;
            if (resolution.Failure == FallbackFailure.NotFound && attribute.IsInterfaceLevel)
            {
                if (reportedInterfaceLevelNotFound)
                {
                    continue;
                }

                reportedInterfaceLevelNotFound = true;
                location = nameLocation;
            }
            else
            {
                location = DiagnosticText.Where(method, attribute, context.CancellationToken, nameLocation);
            }

            var subject = resolution.Failure == FallbackFailure.NotFound && attribute.IsInterfaceLevel
                ? $"'{resilient.Type.Name}'"
                : DiagnosticText.Subject(method, attribute);
            context.ReportDiagnostic(Diagnostic.Create(descriptor, location, subject, Lower(resolution.Detail)));
        }
    }

    /// <summary>The resolver's detail starts a sentence; in the message it follows a colon.</summary>
    private static string Lower(string? detail)
        => string.IsNullOrEmpty(detail) || !char.IsUpper(detail![0]) || (detail.Length > 1 && char.IsUpper(detail[1]))
            ? detail ?? string.Empty
            : char.ToLowerInvariant(detail[0]) + detail.Substring(1);
}
