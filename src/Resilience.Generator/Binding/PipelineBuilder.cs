using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>Builds one method's <see cref="PipelineModel"/> and the strategy fields it uses, from its <see cref="MethodBinding"/>.</summary>
internal sealed class PipelineBuilder
{
    private readonly MethodBinding _binding;
    private readonly IMethodSymbol _method;
    private readonly BindingContext _context;
    private readonly string _interfaceName;
    private readonly string _methodFullName;
    private readonly string _methodFieldSuffix;

    public PipelineBuilder(MethodBinding binding, INamedTypeSymbol declaring, BindingContext context)
    {
        _binding = binding;
        _method = binding.Symbol;
        _context = context;
        _interfaceName = declaring.ToDisplayString(TypeNames.QualifiedName);

        var method = _method;
        var overloads = declaring.GetMembers(method.Name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (overloads.Count > 1)
        {
            var types = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(TypeNames.ShortName)));
            _methodFullName = $"{_interfaceName}.{method.Name}({types})";
            var index = overloads.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method));
            _methodFieldSuffix = method.Name + "_" + (index + 1).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            _methodFullName = $"{_interfaceName}.{method.Name}";
            _methodFieldSuffix = method.Name;
        }
    }

    /// <summary>The pipeline, or <see langword="null"/> when a name an attribute gives does not bind (plain delegation).</summary>
    public PipelineModel? Build()
    {
        var symbols = _context.Symbols;
        var cancellationToken = -1;
        for (var i = _method.Parameters.Length - 1; i >= 0; i--)
        {
            if (_method.Parameters[i].RefKind == RefKind.None && symbols.IsCancellationToken(_method.Parameters[i].Type))
            {
                cancellationToken = i;
                break;
            }
        }

        // Resolve everything that can fail before creating any field, so a plain-delegating method adds none.
        var cacheKeys = EquatableArray<int>.Empty;
        string? cacheKeyMethod = null;
        var cache = _binding.Get(AttributeKind.CacheFallback);
        if (cache is not null && (!TryGetCacheKeys(cache, out cacheKeys) || !TryBindKeyMethod(cache, cacheKeys, out cacheKeyMethod)))
        {
            return null;
        }

        var rateLimitKey = -1;
        string? rateLimitKeyType = null;
        var rateLimit = _binding.Get(AttributeKind.RateLimit);
        if (rateLimit?.KeyParameter is { } rateKey && !TryGetKey(rateKey, out rateLimitKey, out rateLimitKeyType))
        {
            return null;
        }

        var breaker = _binding.Get(AttributeKind.CircuitBreaker);
        var breakerKey = -1;
        string? breakerKeyType = null;
        if (breaker?.KeyParameter is { } breakerKeyName && !TryGetKey(breakerKeyName, out breakerKey, out breakerKeyType))
        {
            return null;
        }

        var retry = _binding.Get(AttributeKind.Retry);
        if (!TryBindPredicate(retry, out var retryPredicate) || !TryBindPredicate(breaker, out var breakerPredicate))
        {
            return null;
        }

        // HandleResult set on only one of retry and breaker applies to both.
        if (retry is not null && breaker is not null)
        {
            retryPredicate ??= breakerPredicate;
            breakerPredicate ??= retryPredicate;
        }

        // Last of the checks: binding may add an injected handler.
        FallbackModel? fallback = null;
        var fallbackAttribute = _binding.Get(AttributeKind.Fallback);
        if (fallbackAttribute is not null)
        {
            fallback = BindFallback(fallbackAttribute);
            if (fallback is null)
            {
                return null;
            }
        }

        var timeout = _binding.Get(AttributeKind.Timeout);
        var bulkhead = _binding.Get(AttributeKind.Bulkhead);
        var hedge = _binding.Shape.IsAsync ? _binding.Get(AttributeKind.Hedge) : null;

        return new PipelineModel(
            fallback,
            cache is null ? null : Field(StrategyKind.CacheFallback, "cacheFallback", cache, null),
            _methodFullName,
            cacheKeys,
            rateLimit is null ? null : Field(rateLimitKeyType is null ? StrategyKind.RateLimit : StrategyKind.KeyedRateLimit, "rateLimit", rateLimit, rateLimitKeyType),
            rateLimitKey,
            bulkhead is null ? null : Field(StrategyKind.Bulkhead, "bulkhead", bulkhead, null),
            timeout is null ? null : Field(StrategyKind.Timeout, "timeout", timeout, null),
            breaker is null ? null : Field(breakerKeyType is null ? StrategyKind.CircuitBreaker : StrategyKind.KeyedCircuitBreaker, "circuitBreaker", breaker, breakerKeyType),
            retry is null ? null : Field(StrategyKind.Retry, "retry", retry, null),
            retry?.HasAttemptTimeout ?? false,
            retry is null ? null : retryPredicate,
            breaker is null ? null : breakerPredicate,
            cancellationToken,
            breakerKey,
            fallbackAttribute?.AnswerMarkedResults ?? true,
            cache?.AnswerMarkedResults ?? true,
            cacheKeyMethod,
            hedge is null ? null : Field(StrategyKind.Hedge, "hedge", hedge, null),
            hedge is null ? string.Empty : _context.UniqueName("__Hedged_" + _method.Name),
            retry?.Spec is RetrySpec { Budget: not null });
    }

    /// <summary>Binds <c>KeyMethod</c> (see <see cref="CacheKeyRules.BindKeyMethod"/>); true with <see langword="null"/> when it is not set.</summary>
    private bool TryBindKeyMethod(BoundAttribute attribute, EquatableArray<int> keys, out string? keyMethod)
    {
        keyMethod = null;
        if (attribute.KeyMethod is not { } name)
        {
            return true;
        }

        var parameters = keys.Select(i => _method.Parameters[i]).ToList();
        if (CacheKeyRules.BindKeyMethod(attribute.DeclaringInterface, name, parameters, _context.Symbols.Compilation, out _) is null)
        {
            return false;
        }

        keyMethod = TypeNames.RenderNoNullable(attribute.DeclaringInterface) + "." + TypeNames.Escape(name);
        return true;
    }

    private string Field(StrategyKind kind, string prefix, BoundAttribute attribute, string? keyType)
    {
        var instanceName = attribute.InstanceName ?? (attribute.IsInterfaceLevel ? _interfaceName : _methodFullName);
        var baseName = "__" + prefix + "_" + (attribute.IsInterfaceLevel ? attribute.DeclaringInterface.Name : _methodFieldSuffix);
        return _context.Field(kind, baseName, instanceName, keyType, attribute.Spec!);
    }

    private FallbackModel? BindFallback(BoundAttribute attribute)
    {
        if (attribute.MethodName is null)
        {
            return null;
        }

        var resolution = FallbackBinding.Resolve(_binding, attribute, _context.Symbols);
        if (resolution is not { IsBound: true, Fallback: { } target } bound)
        {
            return null;
        }

        // An interface-level [Fallback] never makes a method its own fallback.
        if (attribute.IsInterfaceLevel && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
        {
            return null;
        }

        var handlerType = attribute.HandlerType;
        var receiver = bound.Target switch
        {
            FallbackTarget.HandlerInstance => _context.Handler(TypeNames.RenderNoNullable(handlerType!), HandlerName(handlerType!), handlerType!.IsValueType, IsEffectivelyPublic(handlerType!)),
            FallbackTarget.Static => TypeNames.RenderNoNullable(target.ContainingType),
            _ => TypeNames.Render(target.ContainingType),
        };

        var typeArguments = target.IsGenericMethod
            ? _method.TypeParameters.Select(t => TypeNames.Escape(TypeNames.MethodTypeParameterName(t.Name))).ToEquatableArray()
            : EquatableArray<string>.Empty;

        return new FallbackModel(
            bound.Target,
            receiver,
            TypeNames.Escape(target.Name),
            typeArguments,
            bound.ArgumentMap.ToEquatableArray(),
            bound.HandlesAllExceptions || bound.ExceptionType is null ? "global::System.Exception" : TypeNames.RenderNoNullable(bound.ExceptionType),
            bound.ReturnKind,
            FallbackResolver.DiffersInNullability(bound, _method, _context.Symbols.Compilation));
    }

    /// <summary>The name a handler parameter is made from: the type's name, without the <c>I</c> of an interface such as <c>IPriceEstimator</c>.</summary>
    private static string HandlerName(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Interface && type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1])
            ? type.Name.Substring(1)
            : type.Name;

    private bool TryGetCacheKeys(BoundAttribute attribute, out EquatableArray<int> keys)
    {
        var indices = new List<int>();
        if (attribute.KeyParameters is { } names)
        {
            foreach (var name in names)
            {
                if (ParameterBinding.BindCacheKey(_method, name, out var index) != KeyFailure.None)
                {
                    keys = default;
                    return false;
                }

                indices.Add(index);
            }
        }
        else
        {
            for (var i = 0; i < _method.Parameters.Length; i++)
            {
                if (ParameterBinding.IsInDefaultCacheKey(_method.Parameters[i], _context.Symbols))
                {
                    if (CacheKeyRules.IsUnkeyable(_method.Parameters[i].Type))
                    {
                        keys = default;
                        return false;
                    }

                    indices.Add(i);
                }
            }
        }

        keys = indices.ToEquatableArray();
        return true;
    }

    /// <summary>Binds the key parameter and renders its key type (<see cref="KeyTypes"/>).</summary>
    private bool TryGetKey(string name, out int index, out string? keyType)
    {
        keyType = null;
        if (ParameterBinding.BindKey(_method, name, out index) != KeyFailure.None)
        {
            return false;
        }

        keyType = KeyTypes.Render(_method.Parameters[index].Type);
        return true;
    }

    /// <summary>
    /// Binds <c>HandleResult</c> (<see cref="ParameterBinding.BindPredicate"/>); false when it is set but names no usable
    /// predicate. <paramref name="predicate"/> stays <see langword="null"/> when it is not set or skipped.
    /// </summary>
    private bool TryBindPredicate(BoundAttribute? attribute, out string? predicate)
    {
        predicate = null;
        switch (ParameterBinding.BindPredicate(attribute, _binding.Shape, _context.Symbols))
        {
            case PredicateStatus.NotSet:
            case PredicateStatus.Skipped:
                return true;
            case PredicateStatus.Bound:
                predicate = TypeNames.RenderNoNullable(attribute!.DeclaringInterface) + "." + TypeNames.Escape(attribute.HandleResult!);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether <paramref name="type"/> and every type containing it are public (a public constructor may take it).</summary>
    private static bool IsEffectivelyPublic(ITypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            if (named.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }
}
