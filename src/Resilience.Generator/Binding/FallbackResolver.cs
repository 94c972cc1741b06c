using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>Why a <c>[Fallback]</c> could not be bound to a method.</summary>
internal enum FallbackFailure
{
    /// <summary>The fallback binds.</summary>
    None,

    /// <summary>No accessible method of that name (or the handler type is unusable).</summary>
    NotFound,

    /// <summary>Methods of that name exist, but none returns a type the decorated method can answer with.</summary>
    ReturnTypeMismatch,

    /// <summary>A parameter is neither a parameter of the decorated method (same name and type, same order) nor the exception.</summary>
    ParameterMismatch,

    /// <summary>More than one exception parameter, or an exception parameter passed by reference.</summary>
    InvalidExceptionParameter,

    /// <summary>Several overloads bind equally well.</summary>
    Ambiguous,
}

/// <summary>The outcome of binding a <c>[Fallback]</c>: the method to call and how, or why none binds.</summary>
internal readonly struct FallbackResolution
{
    private FallbackResolution(
        FallbackFailure failure,
        string? detail,
        IMethodSymbol? fallback,
        FallbackTarget target,
        FallbackReturnKind returnKind,
        ImmutableArray<int> argumentMap,
        ITypeSymbol? exceptionType,
        bool handlesAllExceptions)
    {
        Failure = failure;
        Detail = detail;
        Fallback = fallback;
        Target = target;
        ReturnKind = returnKind;
        ArgumentMap = argumentMap.IsDefault ? ImmutableArray<int>.Empty : argumentMap;
        ExceptionType = exceptionType;
        HandlesAllExceptions = handlesAllExceptions;
    }

    /// <summary><see cref="FallbackFailure.None"/> when the fallback binds.</summary>
    public FallbackFailure Failure { get; }

    /// <summary>Whether the fallback binds.</summary>
    public bool IsBound => Failure == FallbackFailure.None;

    /// <summary>For a failure: what is wrong and what to change, in words a user can act on.</summary>
    public string? Detail { get; }

    /// <summary>The bound method (constructed with the decorated method's type parameters when generic).</summary>
    public IMethodSymbol? Fallback { get; }

    /// <summary>Where the fallback is called.</summary>
    public FallbackTarget Target { get; }

    /// <summary>How the fallback's result becomes the decorated method's result.</summary>
    public FallbackReturnKind ReturnKind { get; }

    /// <summary>
    /// One entry per fallback parameter, in order: the index of the decorated method's parameter passed to it, or
    /// <c>-1</c> for the exception.
    /// </summary>
    public ImmutableArray<int> ArgumentMap { get; }

    /// <summary>The exception parameter's type, or <see langword="null"/> when the fallback takes no exception.</summary>
    public ITypeSymbol? ExceptionType { get; }

    /// <summary>
    /// <see langword="true"/> when the fallback handles every exception (no exception parameter, or one of type
    /// <see cref="System.Exception"/>); <see langword="false"/> when it handles only <see cref="ExceptionType"/>.
    /// </summary>
    public bool HandlesAllExceptions { get; }

    internal static FallbackResolution Bound(
        IMethodSymbol fallback,
        FallbackTarget target,
        FallbackReturnKind returnKind,
        ImmutableArray<int> argumentMap,
        ITypeSymbol? exceptionType,
        bool handlesAllExceptions)
        => new(FallbackFailure.None, null, fallback, target, returnKind, argumentMap, exceptionType, handlesAllExceptions);

    internal static FallbackResolution Failed(FallbackFailure failure, string detail)
        => new(failure, detail, null, FallbackTarget.InnerInstance, FallbackReturnKind.Void, ImmutableArray<int>.Empty, null, true);
}

/// <summary>Binds a <c>[Fallback]</c> to a method by DESIGN.md's fallback binding rule. Shared by the generator and the analyzers.</summary>
internal static class FallbackResolver
{
    private static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    /// <summary>
    /// Binds the fallback named <paramref name="methodName"/> for <paramref name="method"/> (declared on
    /// <paramref name="interfaceType"/>). With no <paramref name="handlerType"/> it looks on the interface (and the
    /// interfaces it extends): instance methods are called on the inner instance, static methods directly. With a
    /// handler type it looks at its static and instance methods (and those it inherits).
    /// </summary>
    public static FallbackResolution Resolve(
        IMethodSymbol method,
        INamedTypeSymbol interfaceType,
        INamedTypeSymbol? handlerType,
        string methodName,
        Compilation compilation)
    {
        if (string.IsNullOrEmpty(methodName))
        {
            return FallbackResolution.Failed(FallbackFailure.NotFound, "The fallback's method name is empty; pass nameof(YourFallbackMethod).");
        }

        if (handlerType is not null && (handlerType.IsUnboundGenericType || handlerType.TypeKind == TypeKind.Error))
        {
            return FallbackResolution.Failed(
                FallbackFailure.NotFound,
                $"The handler type '{handlerType.ToDisplayString(DisplayFormat)}' cannot be used; pass a closed, non-generic or constructed type.");
        }

        var owner = handlerType ?? interfaceType;
        var candidates = CollectCandidates(owner, methodName, compilation, out var inaccessible);
        if (candidates.Count == 0)
        {
            var where = owner.ToDisplayString(DisplayFormat);
            return FallbackResolution.Failed(
                FallbackFailure.NotFound,
                inaccessible
                    ? $"Method '{methodName}' on '{where}' is not accessible from the generated class; make it public or internal."
                    : $"'{where}' has no method named '{methodName}'; add it or correct the name.");
        }

        var exceptionType = KnownSymbols.Of(compilation).Exception;
        var returnOptions = DescribeAcceptedReturns(method, compilation);

        var best = default(FallbackResolution);
        var bestParameterCount = -1;
        var ambiguous = false;
        FallbackResolution? bestFailure = null;
        var bestFailureRank = -1;

        foreach (var candidate in candidates)
        {
            var result = TryBind(method, candidate, handlerType, exceptionType, returnOptions, compilation);
            if (result.IsBound)
            {
                var count = result.ArgumentMap.Length;
                if (count > bestParameterCount)
                {
                    best = result;
                    bestParameterCount = count;
                    ambiguous = false;
                }
                else if (count == bestParameterCount)
                {
                    ambiguous = true;
                }

                continue;
            }

            var rank = Rank(result.Failure);
            if (rank > bestFailureRank)
            {
                bestFailure = result;
                bestFailureRank = rank;
            }
        }

        if (bestParameterCount >= 0)
        {
            if (ambiguous)
            {
                return FallbackResolution.Failed(
                    FallbackFailure.Ambiguous,
                    $"Several overloads of '{methodName}' bind with {bestParameterCount} parameter(s); remove or rename one of them.");
            }

            return best;
        }

        return bestFailure!.Value;
    }

    private static int Rank(FallbackFailure failure) => failure switch
    {
        FallbackFailure.InvalidExceptionParameter => 4,
        FallbackFailure.ParameterMismatch => 3,
        FallbackFailure.ReturnTypeMismatch => 2,
        _ => 1,
    };

    private static List<IMethodSymbol> CollectCandidates(INamedTypeSymbol owner, string methodName, Compilation compilation, out bool inaccessible)
    {
        var result = new List<IMethodSymbol>();
        inaccessible = false;
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

        IEnumerable<INamedTypeSymbol> types;
        if (owner.TypeKind == TypeKind.Interface)
        {
            types = new[] { owner }.Concat(owner.AllInterfaces);
        }
        else
        {
            types = BaseTypesAndSelf(owner);
        }

        foreach (var type in types)
        {
            foreach (var member in type.GetMembers(methodName))
            {
                if (member is not IMethodSymbol candidate || candidate.MethodKind != MethodKind.Ordinary)
                {
                    continue;
                }

                // A static abstract/virtual interface member cannot be called without a constrained type.
                if (candidate.IsStatic && candidate.IsAbstract)
                {
                    continue;
                }

                // Overridden members are reached through the most derived override.
                if (candidate.IsOverride && candidate.OverriddenMethod is { } overridden)
                {
                    seen.Add(overridden.OriginalDefinition);
                }

                if (!seen.Add(candidate.OriginalDefinition))
                {
                    continue;
                }

                if (!compilation.IsSymbolAccessibleWithin(candidate, compilation.Assembly))
                {
                    inaccessible = true;
                    continue;
                }

                result.Add(candidate);
            }
        }

        return result;
    }

    private static IEnumerable<INamedTypeSymbol> BaseTypesAndSelf(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }

    private readonly struct ReturnOptions
    {
        public ReturnOptions(ITypeSymbol declared, ITypeSymbol? resultType, bool isVoidLike, bool isAsync)
        {
            Declared = declared;
            ResultType = resultType;
            IsVoidLike = isVoidLike;
            IsAsync = isAsync;
        }

        public ITypeSymbol Declared { get; }

        /// <summary>T of Task&lt;T&gt;/ValueTask&lt;T&gt;, or null.</summary>
        public ITypeSymbol? ResultType { get; }

        /// <summary>void, Task or ValueTask.</summary>
        public bool IsVoidLike { get; }

        public bool IsAsync { get; }

        /// <summary>What a fallback may return, for a diagnostic: displayed only when one is reported (displaying types is not cheap).</summary>
        public string Description
        {
            get
            {
                if (IsVoidLike)
                {
                    return "void, Task or ValueTask";
                }

                if (IsAsync)
                {
                    var t = ResultType!.ToDisplayString(DisplayFormat);
                    return $"'{t}', 'Task<{t}>' or 'ValueTask<{t}>'";
                }

                return $"'{Declared.ToDisplayString(DisplayFormat)}'";
            }
        }
    }

    private static ReturnOptions DescribeAcceptedReturns(IMethodSymbol method, Compilation compilation)
    {
        var declared = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return new ReturnOptions(declared, null, isVoidLike: true, isAsync: false);
        }

        var kind = ClassifyAwaitable(declared, compilation, out var resultType);
        return kind switch
        {
            FallbackReturnKind.Task or FallbackReturnKind.ValueTask => new ReturnOptions(declared, null, isVoidLike: true, isAsync: true),
            FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT => new ReturnOptions(declared, resultType, isVoidLike: false, isAsync: true),
            _ => new ReturnOptions(declared, null, isVoidLike: false, isAsync: false),
        };
    }

    /// <summary>Classifies <paramref name="type"/> as Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; or a plain value.</summary>
    internal static FallbackReturnKind ClassifyAwaitable(ITypeSymbol type, Compilation compilation, out ITypeSymbol? resultType)
    {
        resultType = null;
        if (type.SpecialType == SpecialType.System_Void)
        {
            return FallbackReturnKind.Void;
        }

        if (type is not INamedTypeSymbol named)
        {
            return FallbackReturnKind.Value;
        }

        // Once per compilation (KnownSymbols.Of), not four lookups by metadata name per call: this runs for every method
        // and every fallback candidate on every keystroke.
        var known = KnownSymbols.Of(compilation);
        var definition = named.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(definition, known.Task))
        {
            return FallbackReturnKind.Task;
        }

        if (SymbolEqualityComparer.Default.Equals(definition, known.ValueTask))
        {
            return FallbackReturnKind.ValueTask;
        }

        if (SymbolEqualityComparer.Default.Equals(definition, known.TaskOfT))
        {
            resultType = named.TypeArguments[0];
            return FallbackReturnKind.TaskOfT;
        }

        if (SymbolEqualityComparer.Default.Equals(definition, known.ValueTaskOfT))
        {
            resultType = named.TypeArguments[0];
            return FallbackReturnKind.ValueTaskOfT;
        }

        return FallbackReturnKind.Value;
    }

    /// <summary>
    /// The value a bound fallback hands back (its return type, or <c>T</c> of its <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>)
    /// and the value the method returns (likewise), with their nullable annotations; <see langword="null"/>s for
    /// void-like shapes. The generated code passes the fallback's value on with <c>!</c> when the two differ only in
    /// nullability (the resolver compares types without it), and the analyzer warns (RES0020) when the fallback's
    /// may be null and the method's may not: exactly where the compiler would warn in hand-written code.
    /// </summary>
    internal static (ITypeSymbol? Fallback, ITypeSymbol? Method) ResultTypes(FallbackResolution resolution, IMethodSymbol method, Compilation compilation)
    {
        if (resolution.Fallback is not { } fallback || method.ReturnsVoid)
        {
            return (null, null);
        }

        var methodKind = ClassifyAwaitable(method.ReturnType, compilation, out var methodResult);
        var methodValue = methodKind switch
        {
            FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT => methodResult,
            FallbackReturnKind.Value => method.ReturnType,
            _ => null,
        };

        var fallbackValue = resolution.ReturnKind switch
        {
            FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT => ((INamedTypeSymbol)fallback.ReturnType).TypeArguments[0],
            FallbackReturnKind.Value => fallback.ReturnType,
            _ => null,
        };

        return fallbackValue is null || methodValue is null ? (null, null) : (fallbackValue, methodValue);
    }

    /// <summary>Whether the fallback's value and the method's differ in nullable annotations (see <see cref="ResultTypes"/>).</summary>
    internal static bool DiffersInNullability(FallbackResolution resolution, IMethodSymbol method, Compilation compilation)
    {
        var (fallback, result) = ResultTypes(resolution, method, compilation);
        return fallback is not null && result is not null && !fallback.Equals(result, SymbolEqualityComparer.IncludeNullability);
    }

    /// <summary>Whether the fallback's value may be null where the method's may not (the compiler's CS8600/CS8619/CS8603 case).</summary>
    internal static bool MayReturnNullForNonNullable(FallbackResolution resolution, IMethodSymbol method, Compilation compilation, out ITypeSymbol? fallbackValue, out ITypeSymbol? methodValue)
    {
        (fallbackValue, methodValue) = ResultTypes(resolution, method, compilation);
        return fallbackValue is not null && methodValue is not null
            && !fallbackValue.IsValueType
            && fallbackValue.NullableAnnotation == NullableAnnotation.Annotated
            && methodValue.NullableAnnotation == NullableAnnotation.NotAnnotated;
    }

    private static FallbackResolution TryBind(
        IMethodSymbol method,
        IMethodSymbol candidate,
        INamedTypeSymbol? handlerType,
        INamedTypeSymbol? exceptionType,
        ReturnOptions returns,
        Compilation compilation)
    {
        // Displayed only for a diagnostic: displaying a method is not cheap, and most candidates bind.
        string Name() => candidate.ToDisplayString(DisplayFormat);

        // Generic fallbacks are called with the decorated method's own type parameters.
        if (candidate.IsGenericMethod)
        {
            if (candidate.Arity != method.Arity)
            {
                return FallbackResolution.Failed(
                    FallbackFailure.ParameterMismatch,
                    $"Fallback '{Name()}' has {candidate.Arity} type parameter(s) but the method has {method.Arity}; give it the same type parameters or none.");
            }

            if (FindUnsatisfiedConstraint(candidate, method, compilation) is { } unsatisfied)
            {
                return FallbackResolution.Failed(
                    FallbackFailure.ParameterMismatch,
                    $"Fallback '{Name()}' constrains its type parameter '{unsatisfied.Fallback}' more than the method constrains '{unsatisfied.Method}' ({unsatisfied.Constraint}); give the fallback the method's constraints or fewer.");
            }

            candidate = candidate.Construct(method.TypeParameters.Cast<ITypeSymbol>().ToArray());
        }

        // Return type.
        FallbackReturnKind returnKind;
        if (!TryMatchReturn(candidate, returns, compilation, out returnKind))
        {
            return FallbackResolution.Failed(
                FallbackFailure.ReturnTypeMismatch,
                $"Fallback '{Name()}' returns '{candidate.ReturnType.ToDisplayString(DisplayFormat)}'; it must return {returns.Description}.");
        }

        // Parameters.
        var map = ImmutableArray.CreateBuilder<int>(candidate.Parameters.Length);
        ITypeSymbol? caught = null;
        var next = 0;
        foreach (var parameter in candidate.Parameters)
        {
            var index = FindParameter(method, parameter.Name, next);
            if (index >= 0)
            {
                var source = method.Parameters[index];
                if (!SymbolEqualityComparer.Default.Equals(source.Type, parameter.Type))
                {
                    return FallbackResolution.Failed(
                        FallbackFailure.ParameterMismatch,
                        $"Parameter '{parameter.Name}' of fallback '{Name()}' is '{parameter.Type.ToDisplayString(DisplayFormat)}' but the method's is '{source.Type.ToDisplayString(DisplayFormat)}'; use the same type.");
                }

                if (!IsByValue(parameter.RefKind) || !IsByValue(source.RefKind))
                {
                    return FallbackResolution.Failed(
                        FallbackFailure.ParameterMismatch,
                        $"Parameter '{parameter.Name}' of fallback '{Name()}' cannot be passed by ref or out; pass it by value.");
                }

                map.Add(index);
                next = index + 1;
                continue;
            }

            if (IsException(parameter.Type, exceptionType))
            {
                if (caught is not null)
                {
                    return FallbackResolution.Failed(
                        FallbackFailure.InvalidExceptionParameter,
                        $"Fallback '{Name()}' has more than one exception parameter; keep only one.");
                }

                if (!IsByValue(parameter.RefKind))
                {
                    return FallbackResolution.Failed(
                        FallbackFailure.InvalidExceptionParameter,
                        $"The exception parameter '{parameter.Name}' of fallback '{Name()}' must be passed by value.");
                }

                caught = parameter.Type;
                map.Add(-1);
                continue;
            }

            var anywhere = FindParameter(method, parameter.Name, 0);
            var detail = anywhere >= 0
                ? $"Parameter '{parameter.Name}' of fallback '{Name()}' is out of order; list the method's parameters in the order the method declares them."
                : $"Parameter '{parameter.Name}' of fallback '{Name()}' is not a parameter of '{method.ToDisplayString(DisplayFormat)}' nor an exception; rename it to one of the method's parameters or remove it.";
            return FallbackResolution.Failed(FallbackFailure.ParameterMismatch, detail);
        }

        FallbackTarget target;
        if (candidate.IsStatic)
        {
            target = FallbackTarget.Static;
        }
        else if (handlerType is null)
        {
            target = FallbackTarget.InnerInstance;
        }
        else if (handlerType.IsRefLikeType)
        {
            return FallbackResolution.Failed(
                FallbackFailure.NotFound,
                $"Fallback '{Name()}' is an instance method of the ref struct '{handlerType.ToDisplayString(DisplayFormat)}', which the decorator cannot hold in a field; make the method static or the handler a class.");
        }
        else
        {
            target = FallbackTarget.HandlerInstance;
        }

        var all = caught is null || SymbolEqualityComparer.Default.Equals(caught, exceptionType);
        return FallbackResolution.Bound(candidate, target, returnKind, map.ToImmutable(), caught, all);
    }

    /// <summary>
    /// The first constraint of a generic fallback's type parameter that the decorated method's type parameter in the
    /// same position does not guarantee, or <see langword="null"/>: the call <c>Fallback&lt;T&gt;(…)</c> in the
    /// generated method must satisfy it with the method's own <c>T</c>.
    /// </summary>
    private static (string Fallback, string Method, string Constraint)? FindUnsatisfiedConstraint(IMethodSymbol candidate, IMethodSymbol method, Compilation compilation)
    {
        for (var i = 0; i < candidate.TypeParameters.Length; i++)
        {
            var required = candidate.TypeParameters[i];
            var given = method.TypeParameters[i];
            var isValueType = given.HasValueTypeConstraint || given.HasUnmanagedTypeConstraint;
            var isReferenceType = given.HasReferenceTypeConstraint || given.ConstraintTypes.Any(t => t.IsReferenceType && t.TypeKind != TypeKind.Interface);
            string? missing = null;
            if (required.HasReferenceTypeConstraint && !isReferenceType)
            {
                missing = "class";
            }
            else if (required.HasValueTypeConstraint && !isValueType)
            {
                missing = "struct";
            }
            else if (required.HasUnmanagedTypeConstraint && !given.HasUnmanagedTypeConstraint)
            {
                missing = "unmanaged";
            }
            else if (required.HasNotNullConstraint && !(given.HasNotNullConstraint || isValueType))
            {
                missing = "notnull";
            }
            else if (required.HasConstructorConstraint && !(given.HasConstructorConstraint || isValueType))
            {
                missing = "new()";
            }
            else
            {
                foreach (var constraint in required.ConstraintTypes)
                {
                    var substituted = Substitute(constraint, candidate.TypeParameters, method.TypeParameters);
                    var satisfied = given.ConstraintTypes.Any(t => compilation.ClassifyCommonConversion(t, substituted) is { IsIdentity: true } or { IsImplicit: true, IsReference: true });
                    if (!satisfied)
                    {
                        missing = constraint.ToDisplayString(DisplayFormat);
                        break;
                    }
                }
            }

            if (missing is not null)
            {
                return (required.Name, given.Name, missing);
            }
        }

        return null;
    }

    /// <summary><paramref name="type"/> with the fallback's type parameters replaced by the method's (same positions).</summary>
    private static ITypeSymbol Substitute(ITypeSymbol type, ImmutableArray<ITypeParameterSymbol> from, ImmutableArray<ITypeParameterSymbol> to)
    {
        if (type is ITypeParameterSymbol parameter)
        {
            var index = from.IndexOf(parameter, SymbolEqualityComparer.Default);
            return index >= 0 ? to[index] : type;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            var arguments = named.TypeArguments.Select(a => Substitute(a, from, to)).ToArray();
            return named.ConstructedFrom.Construct(arguments);
        }

        return type;
    }

    private static bool IsByValue(RefKind refKind) => refKind is RefKind.None or RefKind.In or RefKind.RefReadOnlyParameter;

    private static int FindParameter(IMethodSymbol method, string name, int start)
    {
        for (var i = start; i < method.Parameters.Length; i++)
        {
            if (method.Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsException(ITypeSymbol type, INamedTypeSymbol? exceptionType)
    {
        if (exceptionType is null)
        {
            return false;
        }

        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, exceptionType))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryMatchReturn(IMethodSymbol candidate, ReturnOptions returns, Compilation compilation, out FallbackReturnKind kind)
    {
        var type = candidate.ReturnType;
        var classified = candidate.ReturnsVoid ? FallbackReturnKind.Void : ClassifyAwaitable(type, compilation, out _);

        if (returns.IsVoidLike)
        {
            kind = classified;
            return classified is FallbackReturnKind.Void or FallbackReturnKind.Task or FallbackReturnKind.ValueTask;
        }

        if (returns.ResultType is { } result)
        {
            if (SymbolEqualityComparer.Default.Equals(type, result))
            {
                kind = FallbackReturnKind.Value;
                return true;
            }

            if (classified is FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT
                && SymbolEqualityComparer.Default.Equals(((INamedTypeSymbol)type).TypeArguments[0], result))
            {
                kind = classified;
                return true;
            }

            kind = default;
            return false;
        }

        kind = FallbackReturnKind.Value;
        return SymbolEqualityComparer.Default.Equals(type, returns.Declared);
    }
}
