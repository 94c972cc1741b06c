using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Binding;

/// <summary>
/// The one owner of the value rules of the resilience attributes. The analyzer reports each violation (RES0005,
/// RES0008, RES0027–RES0029, and the warning RES0017); the generator degrades a method whose applied attribute has any error
/// (<see cref="AttributeViolation.IsError"/>) to plain delegation. Arguments that did not bind (compiler errors) are not
/// violations: the compiler reports them.
/// </summary>
internal static class AttributeRules
{
    /// <summary>The settings of <paramref name="data"/> that break a rule, in the order they are checked.</summary>
    /// <param name="kind">The attribute's kind.</param>
    /// <param name="data">The attribute.</param>
    /// <param name="declaringType">The interface it is written on (or whose member it is written on), where <c>HandleException</c> is looked up.</param>
    /// <param name="symbols">The compilation's well-known symbols.</param>
    public static List<AttributeViolation> Check(AttributeKind kind, AttributeData data, INamedTypeSymbol declaringType, KnownSymbols symbols)
    {
        var checker = new Checker(data, declaringType, symbols);
        switch (kind)
        {
            case AttributeKind.Retry:
                checker.Retry();
                break;
            case AttributeKind.CircuitBreaker:
                checker.CircuitBreaker();
                break;
            case AttributeKind.RateLimit:
                checker.RateLimit();
                break;
            case AttributeKind.Bulkhead:
                checker.Bulkhead();
                break;
            case AttributeKind.Timeout:
                checker.Timeout();
                break;
            case AttributeKind.CacheFallback:
                checker.CacheFallback();
                break;
            case AttributeKind.Hedge:
                checker.Hedge();
                break;
        }

        return checker.Violations;
    }

    /// <summary>
    /// Whether <c>HandleResult</c> is left out for a method: an interface-level one is a default, and like other
    /// defaults that cannot apply to a method's shape it is skipped for a method without a result
    /// (<c>void</c>/<c>Task</c>/<c>ValueTask</c>). A method-level one there is an error (RES0007).
    /// </summary>
    public static bool SkipsHandleResult(bool isInterfaceLevel, bool methodHasResult) => isInterfaceLevel && !methodHasResult;

    /// <summary>
    /// Whether <paramref name="candidate"/> (a static method of the interface with the name <c>HandleResult</c> gives)
    /// can judge a result of type <paramref name="result"/>: a non-generic, non-private <c>static bool M(TResult)</c>
    /// with a body, taking its argument by value or <c>in</c>, to which the result converts implicitly.
    /// </summary>
    public static bool IsUsablePredicate(IMethodSymbol candidate, ITypeSymbol result, Compilation compilation)
    {
        if (candidate.MethodKind != MethodKind.Ordinary
            || !candidate.IsStatic
            || candidate.IsAbstract
            || candidate.IsGenericMethod
            || candidate.DeclaredAccessibility == Accessibility.Private
            || candidate.ReturnsByRef
            || candidate.ReturnsByRefReadonly
            || candidate.ReturnType.SpecialType != SpecialType.System_Boolean
            || candidate.Parameters.Length != 1
            || candidate.Parameters[0].RefKind is not (RefKind.None or RefKind.In))
        {
            return false;
        }

        var conversion = compilation.ClassifyCommonConversion(result, candidate.Parameters[0].Type);
        return conversion.Exists && conversion.IsImplicit;
    }

    /// <summary>
    /// Whether a key parameter (<c>KeyParameter</c>) of <paramref name="type"/> is keyed as <c>object</c>: a bare type
    /// parameter, a <c>Nullable&lt;T&gt;</c> or a type built from a method type parameter. Other types key as
    /// themselves without a nullable annotation.
    /// </summary>
    public static bool KeysAsObject(ITypeSymbol type)
        => type is ITypeParameterSymbol
            || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
            || UsesMethodTypeParameter(type);

    private static bool UsesMethodTypeParameter(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol parameter:
                return parameter.TypeParameterKind == TypeParameterKind.Method;
            case IArrayTypeSymbol array:
                return UsesMethodTypeParameter(array.ElementType);
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    if (UsesMethodTypeParameter(argument))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="exception"/> (<see cref="System.Exception"/>) or derives from it.</summary>
    public static bool IsException(ITypeSymbol? type, INamedTypeSymbol? exception)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, exception))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Why a policy type given to <c>Policy</c>/<c>TripPolicy</c> cannot be created by the generated class, as
    /// "what is wrong; what to do", or <see langword="null"/> when it can.
    /// </summary>
    public static string? GetPolicyProblem(ITypeSymbol type, INamedTypeSymbol policyInterface, Compilation compilation)
    {
        var interfaceName = policyInterface.ToDisplayString();
        if (type is not INamedTypeSymbol named || named.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return "it is not a class or struct; pass a concrete class implementing " + interfaceName;
        }

        if (named.IsUnboundGenericType)
        {
            return "it is an open generic type; pass a constructed type such as typeof(MyPolicy<int>)";
        }

        if (named.IsAbstract || named.IsStatic)
        {
            return "it is abstract or static; pass a concrete class implementing " + interfaceName;
        }

        var implements = false;
        foreach (var implemented in named.AllInterfaces)
        {
            implements |= SymbolEqualityComparer.Default.Equals(implemented, policyInterface);
        }

        if (!implements)
        {
            return "it does not implement " + interfaceName + "; implement that interface";
        }

        if (!compilation.IsSymbolAccessibleWithin(named, compilation.Assembly))
        {
            return "it is not accessible from the generated class; make it public or internal";
        }

        if (named.TypeKind == TypeKind.Struct)
        {
            return null;
        }

        foreach (var constructor in named.InstanceConstructors)
        {
            if (constructor.Parameters.IsEmpty && compilation.IsSymbolAccessibleWithin(constructor, compilation.Assembly))
            {
                return null;
            }
        }

        return "it has no public parameterless constructor; add one";
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> can be the <c>Func&lt;Exception, bool&gt;</c> of <c>HandleException</c>: a
    /// non-generic, non-private, non-abstract <c>static bool M(Exception)</c> taking its one parameter by value, of a type
    /// that <see cref="System.Exception"/> converts to by identity or reference (<c>Exception</c>, <c>object</c>).
    /// </summary>
    public static bool IsUsableExceptionPredicate(IMethodSymbol candidate, INamedTypeSymbol? exception, Compilation compilation)
    {
        if (exception is null
            || !candidate.IsStatic
            || candidate.IsAbstract
            || candidate.IsGenericMethod
            || candidate.DeclaredAccessibility == Accessibility.Private
            || candidate.ReturnsByRef
            || candidate.ReturnsByRefReadonly
            || candidate.ReturnType.SpecialType != SpecialType.System_Boolean
            || candidate.Parameters.Length != 1
            || candidate.Parameters[0].RefKind != RefKind.None)
        {
            return false;
        }

        var conversion = compilation.ClassifyCommonConversion(exception, candidate.Parameters[0].Type);
        return conversion.IsIdentity || (conversion.IsReference && conversion.IsImplicit);
    }

    private sealed class Checker
    {
        private readonly AttributeData _data;
        private readonly INamedTypeSymbol _declaringType;
        private readonly KnownSymbols _symbols;

        public Checker(AttributeData data, INamedTypeSymbol declaringType, KnownSymbols symbols)
        {
            _data = data;
            _declaringType = declaringType;
            _symbols = symbols;
        }

        public List<AttributeViolation> Violations { get; } = new();

        public void Retry()
        {
            AtLeast("MaxRetries", 0);
            AtLeast("DelayMs", 0);
            AtLeast("MaxDelayMs", 1);
            var delay = AttributeValues.GetInt(_data, "DelayMs", RetryDefaults.DelayMs);
            if (AttributeValues.TryGetInt(_data, "MaxDelayMs", out var maxDelay) && maxDelay > 0 && delay >= 0 && maxDelay < delay)
            {
                Add("MaxDelayMs", maxDelay, $"MaxDelayMs must not be less than DelayMs ({DiagnosticText.Number(delay)}); got {DiagnosticText.Number(maxDelay)}");
            }
            else if (!AttributeValues.IsSet(_data, "MaxDelayMs") && delay > RetryDefaults.MaxDelayMs)
            {
                Add("DelayMs", delay, $"DelayMs must not be more than MaxDelayMs ({DiagnosticText.Number(RetryDefaults.MaxDelayMs)} by default); got {DiagnosticText.Number(delay)}; lower it or raise MaxDelayMs");
            }

            if (AttributeValues.TryGetDouble(_data, "Multiplier", out var multiplier))
            {
                if (!(multiplier >= 1))
                {
                    Add("Multiplier", multiplier, $"Multiplier must be at least 1; got {DiagnosticText.Number(multiplier)}");
                }
                else if (double.IsInfinity(multiplier))
                {
                    Add("Multiplier", multiplier, $"Multiplier must be a finite number; got {DiagnosticText.Number(multiplier)}");
                }
            }

            if (AttributeValues.TryGetDouble(_data, "Jitter", out var jitter) && !(jitter >= 0 && jitter <= 1))
            {
                Add("Jitter", jitter, $"Jitter must be between 0 and 1; got {DiagnosticText.Number(jitter)}");
            }

            AtLeast("AttemptTimeoutMs", 0);
            DefinedEnum<BackoffType>("Backoff");
            ExceptionTypes("RetryOn");
            PolicyType("Policy", _symbols.RetryPolicy);
            Budget();
        }

        /// <summary>
        /// <c>Budget</c>: a blank name is an error (RES0033); a budget on a retry that never retries (RES0034) and a name
        /// that cannot be a configuration key (RES0035) are warnings.
        /// </summary>
        private void Budget()
        {
            if (!AttributeValues.TryGetNamed(_data, "Budget", out var constant) || constant.Value is not string budget)
            {
                return;
            }

            var shown = "\"" + budget + "\"";
            if (budget.Trim().Length == 0)
            {
                Violations.Add(new AttributeViolation("Budget", ViolationKind.BudgetName, -1, shown, "Budget must name a retry budget; remove it, or give a non-blank name"));
                return;
            }

            if (AttributeValues.GetInt(_data, "MaxRetries", RetryDefaults.MaxRetries) == 0)
            {
                Violations.Add(new AttributeViolation(
                    "Budget",
                    ViolationKind.BudgetUnused,
                    -1,
                    shown,
                    $"the retry has MaxRetries = 0, so it never draws from the budget {shown}; remove Budget, or allow retries"));
            }

            if (budget.IndexOf(':') >= 0)
            {
                Violations.Add(new AttributeViolation(
                    "Budget",
                    ViolationKind.BudgetNotConfigurable,
                    -1,
                    shown,
                    $"the budget {shown} contains ':', the configuration path separator, so Resilience:RetryBudgets can never configure it; use another character, such as '-' or '.'"));
            }
        }

        public void Hedge()
        {
            if (AttributeValues.TryGetInt(_data, "DelayMs", out var delay) && delay < HedgeDefaults.OnlyOnFailure)
            {
                Add("DelayMs", delay, $"DelayMs must be 0 or more, or -1 to hedge only on failure; got {DiagnosticText.Number(delay)}");
            }

            if (AttributeValues.TryGetInt(_data, "MaxHedges", out var maxHedges) && (maxHedges < 1 || maxHedges > HedgeDefaults.MaxHedgesLimit))
            {
                Add("MaxHedges", maxHedges, $"MaxHedges must be from 1 to {DiagnosticText.Number(HedgeDefaults.MaxHedgesLimit)}; got {DiagnosticText.Number(maxHedges)}");
            }

            if (delay == HedgeDefaults.OnlyOnFailure && AttributeValues.TryGetNamed(_data, "OnFailure", out var onFailure) && onFailure.Value is false)
            {
                Violations.Add(new AttributeViolation(
                    "OnFailure",
                    ViolationKind.Value,
                    -1,
                    "false",
                    "OnFailure must be true when DelayMs is -1 (hedge only on failure), or no hedge is ever made"));
            }

            NonEmptyName();
        }

        public void CircuitBreaker()
        {
            AtLeast("FailureThreshold", 1);
            Ratio("FailureRatio");
            Ratio("TimeoutRatio");
            AtLeast("MinimumThroughput", 1);
            AtLeast("SamplingDurationMs", 1);
            AtLeast("BreakDurationMs", 1);
            AtLeast("HalfOpenMaxCalls", 1);
            AtLeast("MaxKeys", 1);
            AtLeast("KeyIdleTimeoutMs", 1);
            AtLeast("SuccessThreshold", 1);
            AtLeast("IntervalMs", 0);
            HandleException();
            ExceptionTypes("Handle");
            PolicyType("TripPolicy", _symbols.TripPolicy);
            NonEmptyName();
            KeyedOnly("MaxKeys");
            KeyedOnly("KeyIdleTimeoutMs");
        }

        public void RateLimit()
        {
            AtLeast("PermitLimit", 1);
            AtLeast("WindowMs", 1);
            AtLeast("SegmentsPerWindow", 1);
            AtLeast("QueueLimit", 0);
            DefinedEnum<RateLimitAlgorithm>("Algorithm");
            ExactWindowLimit();
            NonEmptyName();
        }

        /// <summary>
        /// <c>SlidingWindowExact</c> keeps one timestamp per permit, so it takes at most
        /// <see cref="RateLimitDefaults.MaxExactPermitLimit"/> permits (the runtime throws for more).
        /// </summary>
        private void ExactWindowLimit()
        {
            var permits = AttributeValues.GetInt(_data, "PermitLimit", RateLimitDefaults.PermitLimit);
            if (AttributeValues.TryGetInt(_data, "Algorithm", out var algorithm)
                && algorithm == (int)RateLimitAlgorithm.SlidingWindowExact
                && permits > RateLimitDefaults.MaxExactPermitLimit)
            {
                var where = AttributeValues.IsSet(_data, "PermitLimit") ? "PermitLimit" : "Algorithm";
                Add(
                    where,
                    where == "PermitLimit" ? permits : algorithm,
                    $"SlidingWindowExact keeps one timestamp per permit, so PermitLimit must be at most {DiagnosticText.Number(RateLimitDefaults.MaxExactPermitLimit)} with it; got {DiagnosticText.Number(permits)}; use SlidingWindow (segmented) for larger limits");
            }
        }

        /// <summary><c>HandleException</c>: a usable static predicate of the declaring interface (RES0027–RES0029).</summary>
        private void HandleException()
        {
            if (AttributeValues.GetString(_data, "HandleException") is not { } name)
            {
                return;
            }

            var declared = false;
            var isStatic = false;
            foreach (var member in _declaringType.GetMembers(name))
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                {
                    continue;
                }

                declared = true;
                isStatic |= method.IsStatic && !method.IsAbstract;
                if (IsUsableExceptionPredicate(method, _symbols.Exception, _symbols.Compilation))
                {
                    return;
                }
            }

            var shown = "\"" + name + "\"";
            var type = _declaringType.ToDisplayString();
            var wanted = "'static bool " + name + "(Exception exception)'";
            if (!declared)
            {
                Violations.Add(new AttributeViolation(
                    "HandleException",
                    ViolationKind.HandleExceptionNotFound,
                    -1,
                    shown,
                    $"'{type}' declares no method named '{name}'; declare {wanted} on it, or fix the name"));
            }
            else if (!isStatic)
            {
                Violations.Add(new AttributeViolation(
                    "HandleException",
                    ViolationKind.HandleExceptionNotStatic,
                    -1,
                    shown,
                    $"'{type}.{name}' is an instance or static abstract method; make it {wanted} with a body"));
            }
            else
            {
                Violations.Add(new AttributeViolation(
                    "HandleException",
                    ViolationKind.HandleExceptionSignature,
                    -1,
                    shown,
                    $"no '{type}.{name}' is {wanted}: non-generic, not private, returning bool, with one parameter taken by value that an Exception converts to"));
            }
        }

        public void Bulkhead()
        {
            AtLeast("MaxConcurrency", 1);
            AtLeast("MaxQueue", 0);
            AtLeast("MaxWaitMs", 0);
            DefinedEnum<BulkheadKind>("Kind");
            NonEmptyName();
        }

        public void Timeout()
        {
            if (AttributeValues.TryGetConstructorArgument(_data, "timeoutMs", out var value) && value.Value is int timeout && timeout <= 0)
            {
                Violations.Add(new AttributeViolation(
                    "timeoutMs",
                    ViolationKind.ConstructorArgument,
                    0,
                    DiagnosticText.Number(timeout),
                    $"the timeout must be more than 0 ms; got {DiagnosticText.Number(timeout)}"));
            }
        }

        public void CacheFallback()
        {
            AtLeast("TtlMs", CacheFallbackDefaults.TtlMs);
            AtLeast("StaleTtlMs", 0);
            var ttl = AttributeValues.GetInt(_data, "TtlMs", CacheFallbackDefaults.TtlMs);
            var stale = AttributeValues.GetInt(_data, "StaleTtlMs", CacheFallbackDefaults.StaleTtlMs);
            if (ttl == 0 && stale == 0)
            {
                var where = AttributeValues.IsSet(_data, "StaleTtlMs") ? "StaleTtlMs" : "TtlMs";
                Add(where, 0, "TtlMs and StaleTtlMs are both 0, so no result is ever used; set either above 0");
            }
        }

        private void AtLeast(string name, int minimum)
        {
            if (AttributeValues.TryGetInt(_data, name, out var value) && value < minimum)
            {
                var bound = minimum == 0 ? "0 or more" : minimum == 1 ? "at least 1" : "at least " + DiagnosticText.Number(minimum);
                Add(name, value, $"{name} must be {bound}; got {DiagnosticText.Number(value)}");
            }
        }

        private void Ratio(string name)
        {
            if (AttributeValues.TryGetDouble(_data, name, out var value) && !(value >= 0 && value <= 1))
            {
                Add(name, value, $"{name} must be in (0, 1], or 0 to leave it off; got {DiagnosticText.Number(value)}");
            }
        }

        /// <summary>A value of one of the shared enums (src/Shared) that names none of its members.</summary>
        private void DefinedEnum<TEnum>(string name)
            where TEnum : struct, System.Enum
        {
            if (AttributeValues.TryGetNamed(_data, name, out var constant) && constant.Value is int value && !System.Enum.IsDefined(typeof(TEnum), value))
            {
                var names = System.Enum.GetNames(typeof(TEnum));
                var list = string.Join(", ", names, 0, names.Length - 1) + " or " + names[names.Length - 1];
                Add(name, value, $"{name} must be {list}; got {DiagnosticText.Number(value)}");
            }
        }

        private void NonEmptyName()
        {
            if (AttributeValues.TryGetNamed(_data, "Name", out var constant) && constant.Value is string name && name.Trim().Length == 0)
            {
                Violations.Add(new AttributeViolation(
                    "Name",
                    ViolationKind.Value,
                    -1,
                    "\"" + name + "\"",
                    "Name must not be empty; remove it to use the default name, or give a non-blank name"));
            }
        }

        /// <summary>A setting of the per-key table that is set although the attribute has no <c>KeyParameter</c> (RES0017, a warning).</summary>
        private void KeyedOnly(string name)
        {
            if (AttributeValues.TryGetInt(_data, name, out var value) && AttributeValues.GetString(_data, "KeyParameter") is null)
            {
                Violations.Add(new AttributeViolation(
                    name,
                    ViolationKind.KeyedOnly,
                    -1,
                    DiagnosticText.Number(value),
                    $"{name} applies only to a keyed breaker, and this one has no KeyParameter; set KeyParameter to keep one breaker per argument value, or remove {name}"));
            }
        }

        private void ExceptionTypes(string name)
        {
            var values = AttributeValues.GetArray(_data, name);
            if (values.IsDefault)
            {
                return;
            }

            for (var i = 0; i < values.Length; i++)
            {
                var type = values[i].Value as ITypeSymbol;
                if (type is { TypeKind: TypeKind.Error } || IsException(type, _symbols.Exception))
                {
                    continue;
                }

                var shown = type is null ? "null" : "'" + type.ToDisplayString() + "'";
                Violations.Add(new AttributeViolation(
                    name,
                    ViolationKind.Element,
                    i,
                    shown,
                    $"{name} lists {shown}, which does not derive from System.Exception; list exception types only"));
            }
        }

        private void PolicyType(string name, INamedTypeSymbol? policyInterface)
        {
            var type = AttributeValues.GetType(_data, name);
            if (type is null || type.TypeKind == TypeKind.Error || policyInterface is null)
            {
                return;
            }

            var problem = GetPolicyProblem(type, policyInterface, _symbols.Compilation);
            if (problem is not null)
            {
                Violations.Add(new AttributeViolation(name, ViolationKind.PolicyType, -1, type.ToDisplayString(), problem));
            }
        }

        private void Add(string name, int value, string message)
            => Violations.Add(new AttributeViolation(name, ViolationKind.Value, -1, DiagnosticText.Number(value), message));

        private void Add(string name, double value, string message)
            => Violations.Add(new AttributeViolation(name, ViolationKind.Value, -1, DiagnosticText.Number(value), message));
    }
}
