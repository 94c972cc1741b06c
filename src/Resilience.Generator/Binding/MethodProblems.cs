using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Model;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Binding;

/// <summary>
/// Describes what does not bind on the methods of one interface, as <see cref="Problem"/>s: strategies that cannot
/// wrap a method (RES0010, RES0015), names that bind to nothing (RES0006, RES0007), cache keys without value-based
/// identity (RES0021), fallbacks (RES0001–RES0004, RES0016, RES0020), timing (RES0009, RES0012, RES0013) and worker-pool
/// bulkheads on synchronous methods (RES0024). It uses
/// the same <see cref="MethodBinding"/>s and binding rules (<see cref="ParameterBinding"/>, <see cref="CacheKeyRules"/>,
/// <see cref="FallbackResolver"/>) the pipeline is built from.
/// </summary>
/// <remarks>One instance per interface: a problem of an interface-level attribute that is the same for every method is described once.</remarks>
internal sealed class MethodProblems
{
    private readonly Problems _problems;
    private readonly INamedTypeSymbol _type;
    private readonly KnownSymbols _symbols;
    private readonly CancellationToken _cancellationToken;

    // The key type of each interface-level keyed attribute, fixed by the first method that has the parameter.
    private readonly Dictionary<AttributeKind, (string Type, string Method)> _sharedKeys = new();
    private readonly HashSet<AttributeKind> _reportedMissingPredicate = new();
    private bool _reportedInterfaceLevelNotFound;
    private bool _reportedInterfaceLevelDelays;

    public MethodProblems(Problems problems, INamedTypeSymbol type, KnownSymbols symbols, CancellationToken cancellationToken)
    {
        _problems = problems;
        _type = type;
        _symbols = symbols;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Attributes on members no decorator implements (RES0010).</summary>
    public void Misplaced(MisplacedAttribute misplaced)
        => _problems.Add(
            DiagnosticDescriptors.StrategyNotApplicable,
            AttributeLocations.Attribute(misplaced.Attribute.Data, _cancellationToken),
            misplaced.Attribute.Name,
            $"'{misplaced.Member.Name}'",
            misplaced.Problem);

    /// <summary>Every problem of one method declared on the interface.</summary>
    public void Describe(MethodBinding method)
    {
        Shapes(method);
        KeyParameter(method, AttributeKind.RateLimit);
        KeyParameter(method, AttributeKind.CircuitBreaker);
        KeyParameters(method);
        HandleResult(method, AttributeKind.Retry);
        HandleResult(method, AttributeKind.CircuitBreaker);
        Fallback(method);
        Timing(method);
        WorkerPool(method);
        Hedge(method);
    }

    /// <summary>RES0024: a worker-pool bulkhead on a method that cannot await its result.</summary>
    private void WorkerPool(MethodBinding method)
    {
        var bulkhead = method.GetApplicable(AttributeKind.Bulkhead, _symbols);
        if (bulkhead?.Spec is BulkheadSpec { Kind: BulkheadKind.WorkerPool } && !method.Shape.IsAsync)
        {
            _problems.Add(
                DiagnosticDescriptors.WorkerPoolOnSynchronousMethod,
                NamedArgumentWhere(method, bulkhead, "Kind"),
                DiagnosticText.Subject(method, bulkhead));
        }
    }

    /// <summary>[Hedge]: on a synchronous method (RES0030), without a token (RES0031), with a delay the timeout never lets pass (RES0032).</summary>
    private void Hedge(MethodBinding method)
    {
        var hedge = method.Get(AttributeKind.Hedge);
        if (hedge is null || ShapeRules.GetProblem(method.Symbol, method.Shape, AttributeKind.Hedge, _symbols) is not null)
        {
            return;
        }

        var where = DiagnosticText.Where(method, hedge, _cancellationToken);
        var subject = DiagnosticText.Subject(method, hedge);
        if (!method.Shape.IsAsync)
        {
            _problems.Add(DiagnosticDescriptors.HedgeOnSynchronousMethod, where, subject);
            return;
        }

        if (!method.Symbol.Parameters.Any(p => _symbols.IsCancellationToken(p.Type)))
        {
            _problems.Add(DiagnosticDescriptors.HedgeWithoutCancellationToken, where, subject);
        }

        var timeout = method.GetApplicable(AttributeKind.Timeout, _symbols);
        var timeoutMs = timeout is not null && AttributeValues.TryGetConstructorArgument(timeout.Data, "timeoutMs", out var value) && value.Value is int ms ? ms : 0;
        var delay = AttributeValues.GetInt(hedge.Data, "DelayMs", HedgeDefaults.DelayMs);
        if (timeoutMs > 0 && delay >= timeoutMs)
        {
            _problems.Add(DiagnosticDescriptors.HedgeDelayReachesTimeout, where, subject, DiagnosticText.Number(delay), DiagnosticText.Number(timeoutMs));
        }
    }

    private void Shapes(MethodBinding method)
    {
        foreach (var attribute in method.Applied)
        {
            var problem = ShapeRules.GetProblem(method.Symbol, method.Shape, attribute.Kind, _symbols);
            if (problem is not null)
            {
                _problems.Add(
                    DiagnosticDescriptors.StrategyNotApplicable,
                    DiagnosticText.Where(method, attribute, _cancellationToken),
                    attribute.Name,
                    DiagnosticText.Subject(method, attribute),
                    problem);
            }
            else if (attribute.Kind == AttributeKind.CacheFallback && !method.Shape.HasResult)
            {
                _problems.Add(
                    DiagnosticDescriptors.CacheFallbackWithoutResult,
                    DiagnosticText.Where(method, attribute, _cancellationToken),
                    DiagnosticText.Subject(method, attribute));
            }
        }
    }

    private void KeyParameter(MethodBinding method, AttributeKind kind)
    {
        var attribute = method.GetApplicable(kind, _symbols);
        if (attribute?.KeyParameter is not { } key)
        {
            return;
        }

        switch (ParameterBinding.BindKey(method.Symbol, key, out var index))
        {
            case KeyFailure.NotFound:
                ParameterProblem(method, attribute, NamedArgumentWhere(method, attribute, "KeyParameter"), $"'{key}' is not a parameter of the method; {NameOneOf(method.Symbol, "KeyParameter")}");
                return;
            case KeyFailure.NotKeyable:
                ParameterProblem(method, attribute, NamedArgumentWhere(method, attribute, "KeyParameter"), $"'{key}' is passed by ref or out, or is a ref struct or a pointer, so it cannot be kept as a key; key by a parameter passed by value");
                return;
        }

        if (!attribute.IsInterfaceLevel)
        {
            return;
        }

        var type = KeyTypes.Display(method.Symbol.Parameters[index].Type);
        if (!_sharedKeys.TryGetValue(kind, out var shared))
        {
            _sharedKeys.Add(kind, (type, method.Symbol.Name));
        }
        else if (shared.Type != type)
        {
            ParameterProblem(
                method,
                attribute,
                method.Identifier,
                $"'{key}' is keyed as '{type}' here but as '{shared.Type}' on '{shared.Method}', and the interface-level instance is shared; give the parameter one type on every method or put the attribute on the methods");
        }
    }

    private void KeyParameters(MethodBinding method)
    {
        var attribute = method.GetApplicable(AttributeKind.CacheFallback, _symbols);
        if (attribute is null || !method.Shape.HasResult)
        {
            return;
        }

        var keys = new List<(IParameterSymbol Parameter, Location Location)>();
        var names = AttributeValues.GetArray(attribute.Data, "KeyParameters");
        if (names.IsDefault)
        {
            // The default key: every parameter except a CancellationToken. A ref struct or pointer cannot be part of it.
            var where = DiagnosticText.Where(method, attribute, _cancellationToken);
            foreach (var parameter in method.Symbol.Parameters)
            {
                if (!ParameterBinding.IsInDefaultCacheKey(parameter, _symbols))
                {
                    continue;
                }

                if (ParameterBinding.BindCacheKey(method.Symbol, parameter.Name, out _) == KeyFailure.NotKeyable)
                {
                    ParameterProblem(
                        method,
                        attribute,
                        where,
                        $"parameter '{parameter.Name}' is {Unkeyable(parameter.Type)}, which cannot be part of the cache key; set KeyParameters to the parameters that identify the result, or KeyMethod to a method that makes the key from them");
                    return;
                }

                keys.Add((parameter, where));
            }
        }
        else if (!ExplicitKeys(method, attribute, names, keys))
        {
            return;
        }

        if (attribute.KeyMethod is { } keyMethod)
        {
            var parameters = keys.Select(k => k.Parameter).ToList();
            if (CacheKeyRules.BindKeyMethod(attribute.DeclaringInterface, keyMethod, parameters, _symbols.Compilation, out var problem) is null)
            {
                ParameterProblem(method, attribute, NamedArgumentWhere(method, attribute, "KeyMethod"), "KeyMethod: " + problem);
            }

            // The key method makes the key: the parameters' own text is not used.
            return;
        }

        foreach (var (parameter, location) in keys)
        {
            if (!CacheKeyRules.HasValueIdentity(parameter.Type))
            {
                _problems.Add(
                    DiagnosticDescriptors.CacheKeyWithoutValueIdentity,
                    location,
                    DiagnosticText.Subject(method, attribute),
                    parameter.Name,
                    parameter.Type.ToDisplayString(),
                    CanOverrideToString(parameter.Type)
                        ? $"override ToString on '{parameter.Type.Name}' (or make it a record) so that equal values give equal text, leave '{parameter.Name}' out of KeyParameters, or set KeyMethod to a static method that makes the key"
                        : $"pass a type whose ToString tells values apart, leave '{parameter.Name}' out of KeyParameters, or set KeyMethod to a static method that makes the key");
            }
        }
    }

    /// <summary>Describes the names of <c>KeyParameters</c> that bind to nothing usable; false when one does.</summary>
    private bool ExplicitKeys(MethodBinding method, BoundAttribute attribute, System.Collections.Immutable.ImmutableArray<TypedConstant> names, List<(IParameterSymbol Parameter, Location Location)> keys)
    {
        var missing = new List<string>();
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].Value as string;
            var failure = ParameterBinding.BindCacheKey(method.Symbol, name, out var index);
            var location = attribute.IsInterfaceLevel
                ? method.Identifier
                : AttributeLocations.NamedArgumentElement(attribute.Data, "KeyParameters", i, _cancellationToken);
            if (failure == KeyFailure.None)
            {
                keys.Add((method.Symbol.Parameters[index], location));
                continue;
            }

            var shown = name is null ? "null" : "'" + name + "'";
            if (attribute.IsInterfaceLevel)
            {
                missing.Add(shown);
                continue;
            }

            var detail = failure == KeyFailure.NotFound
                ? $"{shown} is not a parameter of the method; {NameOneOf(method.Symbol, "KeyParameters")}"
                : $"{shown} is {Unkeyable(method.Symbol.Parameters[index].Type)}, which cannot be part of the cache key; remove it";
            ParameterProblem(method, attribute, location, detail);
        }

        if (missing.Count > 0)
        {
            var list = string.Join(", ", missing);
            ParameterProblem(method, attribute, method.Identifier, $"{list} {(missing.Count == 1 ? "is not a usable parameter" : "are not usable parameters")} of the method (missing, a ref struct or a pointer); add {(missing.Count == 1 ? "it" : "them")} or put [CacheFallback] with its own KeyParameters on the method");
        }

        return keys.Count == names.Length;
    }

    /// <summary>Whether the user can give <paramref name="type"/> a ToString: a class or struct declared in source.</summary>
    private static bool CanOverrideToString(ITypeSymbol type)
        => type.TypeKind is TypeKind.Class or TypeKind.Struct && type.SpecialType == SpecialType.None && type.Locations.Any(l => l.IsInSource);

    private static string Unkeyable(ITypeSymbol type)
        => type.IsRefLikeType ? "a ref struct" : TypeNames.IsRefLike(type) ? "a type parameter that allows ref structs" : "a pointer";

    private void HandleResult(MethodBinding method, AttributeKind kind)
    {
        var attribute = method.GetApplicable(kind, _symbols);
        var status = ParameterBinding.BindPredicate(attribute, method.Shape, _symbols);
        if (attribute is null || status is PredicateStatus.NotSet or PredicateStatus.Skipped or PredicateStatus.Bound)
        {
            return;
        }

        var name = attribute.HandleResult!;
        var argument = AttributeLocations.NamedArgument(attribute.Data, "HandleResult", _cancellationToken);
        if (status == PredicateStatus.NoResult)
        {
            PredicateProblem(method, attribute, DiagnosticText.Where(method, attribute, _cancellationToken, argument), "the method returns no result to inspect; remove HandleResult");
            return;
        }

        var resultName = method.Shape.ResultType!.ToDisplayString();
        var shape = $"'static bool {name}({resultName} result)'";
        if (status == PredicateStatus.NotDeclared)
        {
            // The same for every method: report an interface-level one once, on the argument.
            if (!attribute.IsInterfaceLevel || _reportedMissingPredicate.Add(kind))
            {
                var subject = attribute.IsInterfaceLevel ? $"'{_type.Name}'" : DiagnosticText.Subject(method, attribute);
                _problems.Add(
                    DiagnosticDescriptors.HandleResultInvalid,
                    argument,
                    attribute.Name,
                    subject,
                    $"'{_type.Name}' declares no static method '{name}'; add {shape} to the interface");
            }

            return;
        }

        PredicateProblem(
            method,
            attribute,
            DiagnosticText.Where(method, attribute, _cancellationToken, argument),
            $"no '{name}' on '{_type.Name}' is a non-generic, non-private {shape} accepting the method's result type '{resultName}'; add that overload or change its parameter type");
    }

    private void Fallback(MethodBinding method)
    {
        var attribute = method.GetApplicable(AttributeKind.Fallback, _symbols);
        if (attribute?.Fallback is not { } arguments)
        {
            return;
        }

        var nameOrdinal = arguments.HasHandler ? 1 : 0;
        var nameLocation = AttributeLocations.ConstructorArgument(attribute.Data, "methodName", nameOrdinal, _cancellationToken);
        var resolution = FallbackBinding.Resolve(method, attribute, _symbols);
        if (resolution is null)
        {
            // The handler type is not a type that can declare the fallback.
            var detail = arguments.HandlerType is null
                ? "the handler type is null; pass typeof(YourHandler), or use [Fallback(nameof(Method))] for a method of the interface."
                : $"the handler type '{arguments.HandlerType.ToDisplayString()}' is not a class, struct or interface; pass the type that declares the fallback.";
            if (!attribute.IsInterfaceLevel || !_reportedInterfaceLevelNotFound)
            {
                var handlerLocation = AttributeLocations.ConstructorArgument(attribute.Data, "handlerType", 0, _cancellationToken);
                _problems.Add(DiagnosticDescriptors.FallbackNotFound, handlerLocation, DiagnosticText.Subject(method, attribute), detail);
                _reportedInterfaceLevelNotFound |= attribute.IsInterfaceLevel;
            }

            return;
        }

        var bound = resolution.Value;
        var descriptor = bound.Failure switch
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
            if (FallbackResolver.MayReturnNullForNonNullable(bound, method.Symbol, _symbols.Compilation, out var fallbackValue, out var methodValue))
            {
                var format = SymbolDisplayFormat.CSharpShortErrorMessageFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);
                _problems.Add(
                    DiagnosticDescriptors.FallbackNullabilityMismatch,
                    DiagnosticText.Where(method, attribute, _cancellationToken, nameLocation),
                    bound.Fallback!.Name,
                    DiagnosticText.Subject(method, attribute),
                    fallbackValue!.ToDisplayString(format),
                    methodValue!.ToDisplayString(format));
            }

            return;
        }

        Location location;
        if (bound.Failure == FallbackFailure.NotFound && attribute.IsInterfaceLevel)
        {
            if (_reportedInterfaceLevelNotFound)
            {
                return;
            }

            _reportedInterfaceLevelNotFound = true;
            location = nameLocation;
        }
        else
        {
            location = DiagnosticText.Where(method, attribute, _cancellationToken, nameLocation);
        }

        var subject = bound.Failure == FallbackFailure.NotFound && attribute.IsInterfaceLevel
            ? $"'{_type.Name}'"
            : DiagnosticText.Subject(method, attribute);
        _problems.Add(descriptor, location, subject, Lower(bound.Detail));
    }

    private void Timing(MethodBinding method)
    {
        var timeout = method.GetApplicable(AttributeKind.Timeout, _symbols);
        var retry = method.GetApplicable(AttributeKind.Retry, _symbols);
        var timeoutMs = timeout is not null && AttributeValues.TryGetConstructorArgument(timeout.Data, "timeoutMs", out var value) && value.Value is int ms ? ms : 0;

        if (timeout is not null && timeoutMs > 0)
        {
            if (!method.Shape.IsAsync)
            {
                Blocking(method, timeout, "[Timeout]");
            }
            else if (!method.Symbol.Parameters.Any(p => _symbols.IsCancellationToken(p.Type)))
            {
                _problems.Add(
                    DiagnosticDescriptors.TimeoutWithoutCancellationToken,
                    DiagnosticText.Where(method, timeout, _cancellationToken),
                    DiagnosticText.Subject(method, timeout));
            }
        }

        if (retry is null)
        {
            return;
        }

        var data = retry.Data;
        var maxRetries = AttributeValues.GetInt(data, "MaxRetries", RetryDefaults.MaxRetries);
        var waits = maxRetries > 0
            && (AttributeValues.GetInt(data, "DelayMs", RetryDefaults.DelayMs) > 0
                || AttributeValues.GetType(data, "Policy") is not null
                || AttributeValues.GetInt(data, "AttemptTimeoutMs", RetryDefaults.AttemptTimeoutMs) > 0);
        if (waits && !method.Shape.IsAsync)
        {
            Blocking(method, retry, "[Retry] with delays or attempt timeouts");
        }

        if (timeout is null || timeoutMs <= 0 || !RetryDelays.TryGetWorstCase(data, out var delays) || delays < timeoutMs)
        {
            return;
        }

        Location location;
        string subject;
        if (retry.IsInterfaceLevel && timeout.IsInterfaceLevel)
        {
            // The same for every method: report once, on the interface's [Retry].
            if (_reportedInterfaceLevelDelays)
            {
                return;
            }

            _reportedInterfaceLevelDelays = true;
            location = AttributeLocations.Attribute(data, _cancellationToken);
            subject = $"the methods of '{_type.Name}'";
        }
        else
        {
            var onMethod = retry.IsInterfaceLevel ? timeout : retry;
            location = AttributeLocations.Attribute(onMethod.Data, _cancellationToken);
            subject = $"'{method.Symbol.Name}'";
        }

        _problems.Add(
            DiagnosticDescriptors.RetryDelaysExceedTimeout,
            location,
            subject,
            DiagnosticText.Number(Math.Ceiling(delays)),
            DiagnosticText.Number(timeoutMs));
    }

    private void Blocking(MethodBinding method, BoundAttribute attribute, string what)
        => _problems.Add(
            DiagnosticDescriptors.BlockingOnSynchronousMethod,
            DiagnosticText.Where(method, attribute, _cancellationToken),
            what,
            DiagnosticText.Subject(method, attribute));

    private Location NamedArgumentWhere(MethodBinding method, BoundAttribute attribute, string name)
        => DiagnosticText.Where(method, attribute, _cancellationToken, AttributeLocations.NamedArgument(attribute.Data, name, _cancellationToken));

    private string NameOneOf(IMethodSymbol method, string property)
    {
        var list = DiagnosticText.ParameterList(method, _symbols);
        return list.Length == 0
            ? $"the method has no parameter to key by; remove {property}"
            : $"name one of {list}";
    }

    private void ParameterProblem(MethodBinding method, BoundAttribute attribute, Location location, string detail)
        => _problems.Add(DiagnosticDescriptors.KeyParameterNotFound, location, attribute.Name, DiagnosticText.Subject(method, attribute), detail);

    private void PredicateProblem(MethodBinding method, BoundAttribute attribute, Location location, string detail)
        => _problems.Add(DiagnosticDescriptors.HandleResultInvalid, location, attribute.Name, DiagnosticText.Subject(method, attribute), detail);

    /// <summary>The resolver's detail starts a sentence; in the message it follows a colon.</summary>
    private static string Lower(string? detail)
        => string.IsNullOrEmpty(detail) || !char.IsUpper(detail![0]) || (detail.Length > 1 && char.IsUpper(detail[1]))
            ? detail ?? string.Empty
            : char.ToLowerInvariant(detail[0]) + detail.Substring(1);
}
