using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports <c>KeyParameter</c>/<c>KeyParameters</c>/<c>KeyMethod</c> naming no usable parameter or method (RES0006),
/// <c>HandleResult</c> naming no usable predicate (RES0007), and a cache key parameter whose type has no value-based
/// identity (RES0021, see <see cref="CacheKeyRules"/>, the rule the generator follows too).
/// </summary>
/// <remarks>
/// An interface-level keyed <c>[RateLimit]</c> or <c>[CircuitBreaker]</c> is one instance shared by every method, so
/// every method it applies to needs the key parameter, and with the same type.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ParameterReferenceAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.KeyParameterNotFound,
        DiagnosticDescriptors.HandleResultInvalid,
        DiagnosticDescriptors.CacheKeyWithoutValueIdentity);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterPerInterface(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientInterface resilient, ResilienceSymbols symbols)
    {
        // The key type of each interface-level keyed attribute, fixed by the first method that has the parameter.
        var sharedKeys = new Dictionary<AttributeKind, (string Type, string Method)>();
        var reportedMissingPredicate = new HashSet<AttributeKind>();
        foreach (var method in resilient.Methods)
        {
            KeyParameter(context, symbols, method, AttributeKind.RateLimit, sharedKeys);
            KeyParameter(context, symbols, method, AttributeKind.CircuitBreaker, sharedKeys);
            KeyParameters(context, symbols, resilient.Type, method);
            HandleResult(context, symbols, resilient.Type, method, AttributeKind.Retry, reportedMissingPredicate);
            HandleResult(context, symbols, resilient.Type, method, AttributeKind.CircuitBreaker, reportedMissingPredicate);
        }
    }

    private static ResilienceAttribute? Applicable(ResilientMethod method, AttributeKind kind, ResilienceSymbols symbols)
    {
        var attribute = method.Get(kind);
        return attribute is not null && MethodShape.GetProblem(method.Symbol, method.Shape, kind, symbols) is null ? attribute : null;
    }

    private static void KeyParameter(
        SymbolAnalysisContext context,
        ResilienceSymbols symbols,
        ResilientMethod method,
        AttributeKind kind,
        Dictionary<AttributeKind, (string Type, string Method)> sharedKeys)
    {
        var attribute = Applicable(method, kind, symbols);
        var key = attribute is null ? null : AttributeValues.GetString(attribute.Data, "KeyParameter");
        if (attribute is null || key is null)
        {
            return;
        }

        var parameter = Find(method.Symbol, key);
        if (parameter is null)
        {
            var location = DiagnosticText.Where(method, attribute, context.CancellationToken, AttributeLocations.NamedArgument(attribute.Data, "KeyParameter", context.CancellationToken));
            Report(context, location, attribute, method, $"'{key}' is not a parameter of the method; {NameOneOf(method.Symbol, symbols, "KeyParameter")}");
            return;
        }

        if (parameter.RefKind is RefKind.Ref or RefKind.Out || parameter.Type.IsRefLikeType)
        {
            var location = DiagnosticText.Where(method, attribute, context.CancellationToken, AttributeLocations.NamedArgument(attribute.Data, "KeyParameter", context.CancellationToken));
            Report(context, location, attribute, method, $"'{key}' is passed by ref or out or is a ref struct, so it cannot be kept as a key; key by a parameter passed by value");
            return;
        }

        if (!attribute.IsInterfaceLevel)
        {
            return;
        }

        var type = KeyTypeName(parameter.Type);
        if (!sharedKeys.TryGetValue(kind, out var shared))
        {
            sharedKeys.Add(kind, (type, method.Symbol.Name));
        }
        else if (shared.Type != type)
        {
            Report(
                context,
                method.Identifier,
                attribute,
                method,
                $"'{key}' is keyed as '{type}' here but as '{shared.Type}' on '{shared.Method}', and the interface-level instance is shared; give the parameter one type on every method or put the attribute on the methods");
        }
    }

    private static void KeyParameters(SymbolAnalysisContext context, ResilienceSymbols symbols, INamedTypeSymbol interfaceType, ResilientMethod method)
    {
        var attribute = Applicable(method, AttributeKind.CacheFallback, symbols);
        if (attribute is null || !method.Shape.HasResult)
        {
            return;
        }

        var keys = new List<(IParameterSymbol Parameter, Location Location)>();
        var names = AttributeValues.GetArray(attribute.Data, "KeyParameters");
        if (names.IsDefault)
        {
            // The default key: every parameter except a CancellationToken. A ref struct or pointer cannot be part of it.
            var where = DiagnosticText.Where(method, attribute, context.CancellationToken);
            foreach (var parameter in method.Symbol.Parameters)
            {
                if (symbols.IsCancellationToken(parameter.Type))
                {
                    continue;
                }

                if (CacheKeyRules.IsUnkeyable(parameter.Type))
                {
                    Report(
                        context,
                        where,
                        attribute,
                        method,
                        $"parameter '{parameter.Name}' is {Unkeyable(parameter.Type)}, which cannot be part of the cache key; set KeyParameters to the parameters that identify the result, or KeyMethod to a method that makes the key from them");
                    return;
                }

                keys.Add((parameter, where));
            }
        }
        else if (!ExplicitKeys(context, symbols, method, attribute, names, keys))
        {
            return;
        }

        var keyMethod = AttributeValues.GetString(attribute.Data, "KeyMethod");
        if (keyMethod is not null)
        {
            var owner = attribute.IsInterfaceLevel ? interfaceType : method.Symbol.ContainingType;
            if (CacheKeyRules.BindKeyMethod(owner, keyMethod, keys.Select(k => k.Parameter).ToList(), symbols.Compilation, out var problem) is null)
            {
                var location = DiagnosticText.Where(method, attribute, context.CancellationToken, AttributeLocations.NamedArgument(attribute.Data, "KeyMethod", context.CancellationToken));
                Report(context, location, attribute, method, "KeyMethod: " + problem);
            }

            return;
        }

        foreach (var (parameter, location) in keys)
        {
            if (!CacheKeyRules.HasValueIdentity(parameter.Type))
            {
                var type = parameter.Type.ToDisplayString();
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.CacheKeyWithoutValueIdentity,
                    location,
                    DiagnosticText.Subject(method, attribute),
                    parameter.Name,
                    type,
                    CanOverrideToString(parameter.Type)
                        ? $"override ToString on '{parameter.Type.Name}' (or make it a record) so that equal values give equal text, leave '{parameter.Name}' out of KeyParameters, or set KeyMethod to a static method that makes the key"
                        : $"pass a type whose ToString tells values apart, leave '{parameter.Name}' out of KeyParameters, or set KeyMethod to a static method that makes the key"));
            }
        }
    }

    /// <summary>Checks the names of <c>KeyParameters</c>; false (after reporting) when one names nothing usable.</summary>
    private static bool ExplicitKeys(
        SymbolAnalysisContext context,
        ResilienceSymbols symbols,
        ResilientMethod method,
        ResilienceAttribute attribute,
        ImmutableArray<TypedConstant> names,
        List<(IParameterSymbol Parameter, Location Location)> keys)
    {
        var missing = new List<string>();
        var valid = true;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].Value as string;
            var parameter = name is null ? null : Find(method.Symbol, name);
            var location = attribute.IsInterfaceLevel
                ? method.Identifier
                : AttributeLocations.NamedArgumentElement(attribute.Data, "KeyParameters", i, context.CancellationToken);
            if (parameter is not null && !CacheKeyRules.IsUnkeyable(parameter.Type))
            {
                keys.Add((parameter, location));
                continue;
            }

            valid = false;
            var shown = name is null ? "null" : "'" + name + "'";
            if (attribute.IsInterfaceLevel)
            {
                missing.Add(shown);
                continue;
            }

            var detail = parameter is null
                ? $"{shown} is not a parameter of the method; {NameOneOf(method.Symbol, symbols, "KeyParameters")}"
                : $"{shown} is {Unkeyable(parameter.Type)}, which cannot be part of the cache key; remove it";
            Report(context, location, attribute, method, detail);
        }

        if (missing.Count > 0)
        {
            var list = string.Join(", ", missing);
            Report(context, method.Identifier, attribute, method, $"{list} {(missing.Count == 1 ? "is not a usable parameter" : "are not usable parameters")} of the method (missing, a ref struct or a pointer); add {(missing.Count == 1 ? "it" : "them")} or put [CacheFallback] with its own KeyParameters on the method");
        }

        return valid;
    }

    /// <summary>Whether the user can give <paramref name="type"/> a ToString: a class or struct declared in source.</summary>
    private static bool CanOverrideToString(ITypeSymbol type)
        => type.TypeKind is TypeKind.Class or TypeKind.Struct && type.SpecialType == SpecialType.None && type.Locations.Any(l => l.IsInSource);

    private static string Unkeyable(ITypeSymbol type)
        => type.IsRefLikeType ? "a ref struct" : "a pointer";

    private static void HandleResult(
        SymbolAnalysisContext context,
        ResilienceSymbols symbols,
        INamedTypeSymbol interfaceType,
        ResilientMethod method,
        AttributeKind kind,
        HashSet<AttributeKind> reportedMissingPredicate)
    {
        var attribute = Applicable(method, kind, symbols);
        var name = attribute is null ? null : AttributeValues.GetString(attribute.Data, "HandleResult");
        if (attribute is null || name is null)
        {
            return;
        }

        if (AttributeRules.SkipsHandleResult(attribute.IsInterfaceLevel, method.Shape.HasResult))
        {
            return;
        }

        var argument = AttributeLocations.NamedArgument(attribute.Data, "HandleResult", context.CancellationToken);
        if (method.Shape.ResultType is not { } result)
        {
            Report(context, DiagnosticDescriptors.HandleResultInvalid, DiagnosticText.Where(method, attribute, context.CancellationToken, argument), attribute, method, "the method returns no result to inspect; remove HandleResult");
            return;
        }

        var candidates = new List<IMethodSymbol>();
        foreach (var member in interfaceType.GetMembers(name))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: true } candidate)
            {
                candidates.Add(candidate);
            }
        }

        var resultName = result.ToDisplayString();
        var shape = $"'static bool {name}({resultName} result)'";
        if (candidates.Count == 0)
        {
            // The same for every method: report an interface-level one once, on the argument.
            if (!attribute.IsInterfaceLevel || reportedMissingPredicate.Add(kind))
            {
                var subject = attribute.IsInterfaceLevel ? $"'{interfaceType.Name}'" : DiagnosticText.Subject(method, attribute);
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.HandleResultInvalid,
                    argument,
                    attribute.Name,
                    subject,
                    $"'{interfaceType.Name}' declares no static method '{name}'; add {shape} to the interface"));
            }

            return;
        }

        foreach (var candidate in candidates)
        {
            if (AttributeRules.IsUsablePredicate(candidate, result, symbols.Compilation))
            {
                return;
            }
        }

        Report(
            context,
            DiagnosticDescriptors.HandleResultInvalid,
            DiagnosticText.Where(method, attribute, context.CancellationToken, argument),
            attribute,
            method,
            $"no '{name}' on '{interfaceType.Name}' is a non-generic, non-private {shape} accepting the method's result type '{resultName}'; add that overload or change its parameter type");
    }

    private static IParameterSymbol? Find(IMethodSymbol method, string name)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Name == name)
            {
                return parameter;
            }
        }

        return null;
    }

    /// <summary>
    /// The key type the generator uses, as text: the parameter's type without a nullable annotation, or <c>object</c>
    /// for a type parameter, a <c>Nullable&lt;T&gt;</c> or a type built from a method type parameter.
    /// </summary>
    private static string KeyTypeName(ITypeSymbol type)
        => AttributeRules.KeysAsObject(type)
            ? "object"
            : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();


    private static string NameOneOf(IMethodSymbol method, ResilienceSymbols symbols, string property)
    {
        var list = DiagnosticText.ParameterList(method, symbols);
        return list.Length == 0
            ? $"the method has no parameter to key by; remove {property}"
            : $"name one of {list}";
    }

    private static void Report(SymbolAnalysisContext context, Location location, ResilienceAttribute attribute, ResilientMethod method, string detail)
        => Report(context, DiagnosticDescriptors.KeyParameterNotFound, location, attribute, method, detail);

    private static void Report(SymbolAnalysisContext context, DiagnosticDescriptor descriptor, Location location, ResilienceAttribute attribute, ResilientMethod method, string detail)
        => context.ReportDiagnostic(Diagnostic.Create(descriptor, location, attribute.Name, DiagnosticText.Subject(method, attribute), detail));
}
