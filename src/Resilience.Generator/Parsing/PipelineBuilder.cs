using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>Builds one method's <see cref="PipelineModel"/> and the strategy fields it uses.</summary>
internal sealed class PipelineBuilder
{
    private readonly IMethodSymbol _method;
    private readonly INamedTypeSymbol _declaring;
    private readonly ITypeSymbol? _resultType;
    private readonly ParseContext _context;
    private readonly string _interfaceName;
    private readonly string _methodFullName;
    private readonly string _methodFieldSuffix;

    public PipelineBuilder(IMethodSymbol method, INamedTypeSymbol declaring, ITypeSymbol? resultType, ParseContext context)
    {
        _method = method;
        _declaring = declaring;
        _resultType = resultType;
        _context = context;
        _interfaceName = declaring.ToDisplayString(TypeNames.QualifiedName);

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

    /// <summary>The pipeline, or <see langword="null"/> when an attribute names something that does not bind (plain delegation).</summary>
    public PipelineModel? Build(Dictionary<AttributeKind, StrategySettings> applied)
    {
        var cancellationToken = -1;
        for (var i = _method.Parameters.Length - 1; i >= 0; i--)
        {
            if (_method.Parameters[i].RefKind == RefKind.None && _context.Known.IsCancellationToken(_method.Parameters[i].Type))
            {
                cancellationToken = i;
                break;
            }
        }

        // Resolve everything that can fail before creating any field, so a plain-delegating method adds none.
        var cacheKeys = EquatableArray<int>.Empty;
        string? cacheKeyMethod = null;
        applied.TryGetValue(AttributeKind.CacheFallback, out var cache);
        if (cache is not null && (!TryGetCacheKeys(cache, out cacheKeys) || !TryBindKeyMethod(cache, cacheKeys, out cacheKeyMethod)))
        {
            return null;
        }

        var rateLimitKey = -1;
        string? rateLimitKeyType = null;
        applied.TryGetValue(AttributeKind.RateLimit, out var rateLimit);
        if (rateLimit?.KeyParameter is { } rateKey && !TryGetKey(rateKey, out rateLimitKey, out rateLimitKeyType))
        {
            return null;
        }

        applied.TryGetValue(AttributeKind.CircuitBreaker, out var breaker);
        var breakerKey = -1;
        string? breakerKeyType = null;
        if (breaker?.KeyParameter is { } breakerKeyName && !TryGetKey(breakerKeyName, out breakerKey, out breakerKeyType))
        {
            return null;
        }

        applied.TryGetValue(AttributeKind.Retry, out var retry);
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
        if (applied.TryGetValue(AttributeKind.Fallback, out var fallbackSettings))
        {
            fallback = BindFallback(fallbackSettings);
            if (fallback is null)
            {
                return null;
            }
        }

        var timeout = applied.TryGetValue(AttributeKind.Timeout, out var timeoutSettings) ? timeoutSettings : null;

        return new PipelineModel(
            fallback,
            cache is null ? null : Field(StrategyKind.CacheFallback, "cacheFallback", cache, null),
            _methodFullName,
            cacheKeys,
            rateLimit is null ? null : Field(rateLimitKeyType is null ? StrategyKind.RateLimit : StrategyKind.KeyedRateLimit, "rateLimit", rateLimit, rateLimitKeyType),
            rateLimitKey,
            applied.TryGetValue(AttributeKind.Bulkhead, out var bulkhead) ? Field(StrategyKind.Bulkhead, "bulkhead", bulkhead, null) : null,
            timeout is null ? null : Field(StrategyKind.Timeout, "timeout", timeout, null),
            breaker is null ? null : Field(breakerKeyType is null ? StrategyKind.CircuitBreaker : StrategyKind.KeyedCircuitBreaker, "circuitBreaker", breaker, breakerKeyType),
            retry is null ? null : Field(StrategyKind.Retry, "retry", retry, null),
            retry?.HasAttemptTimeout ?? false,
            retry is null ? null : retryPredicate,
            breaker is null ? null : breakerPredicate,
            cancellationToken,
            breakerKey,
            fallbackSettings?.AnswerMarkedResults ?? true,
            cache?.AnswerMarkedResults ?? true,
            cacheKeyMethod);
    }

    /// <summary>Binds <c>KeyMethod</c> (see <see cref="CacheKeyRules.BindKeyMethod"/>); true with <see langword="null"/> when it is not set.</summary>
    private bool TryBindKeyMethod(StrategySettings settings, EquatableArray<int> keys, out string? keyMethod)
    {
        keyMethod = null;
        if (settings.KeyMethod is not { } name)
        {
            return true;
        }

        var parameters = keys.Select(i => _method.Parameters[i]).ToList();
        if (CacheKeyRules.BindKeyMethod(settings.DeclaringInterface, name, parameters, _context.Known.Compilation, out _) is null)
        {
            return false;
        }

        keyMethod = TypeNames.RenderNoNullable(settings.DeclaringInterface) + "." + TypeNames.Escape(name);
        return true;
    }

    private string Field(StrategyKind kind, string prefix, StrategySettings settings, string? keyType)
    {
        var instanceName = settings.Name ?? (settings.IsInterfaceLevel ? _interfaceName : _methodFullName);
        var baseName = "__" + prefix + "_" + (settings.IsInterfaceLevel ? settings.DeclaringInterface.Name : _methodFieldSuffix);
        IReadOnlyList<string> options = kind == StrategyKind.Timeout
            ? new[] { "global::System.TimeSpan.FromMilliseconds(" + settings.TimeoutMs.ToString(CultureInfo.InvariantCulture) + ")" }
            : settings.Options;
        return _context.Field(kind, baseName, instanceName, keyType, options);
    }

    private FallbackModel? BindFallback(StrategySettings settings)
    {
        if (settings.MethodName is null)
        {
            return null;
        }

        var resolution = FallbackResolver.Resolve(_method, _declaring, settings.HandlerType, settings.MethodName, _context.Known.Compilation);
        if (!resolution.IsBound || resolution.Fallback is not { } target)
        {
            return null;
        }

        // An interface-level [Fallback] never makes a method its own fallback.
        if (settings.IsInterfaceLevel && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
        {
            return null;
        }

        var receiver = resolution.Target switch
        {
            FallbackTarget.HandlerInstance => _context.Handler(TypeNames.RenderNoNullable(settings.HandlerType!), HandlerName(settings.HandlerType!), settings.HandlerType!.IsValueType, IsEffectivelyPublic(settings.HandlerType!)),
            FallbackTarget.Static => TypeNames.RenderNoNullable(target.ContainingType),
            _ => TypeNames.Render(target.ContainingType),
        };

        var typeArguments = target.IsGenericMethod
            ? "<" + string.Join(", ", _method.TypeParameters.Select(t => TypeNames.Escape(TypeNames.MethodTypeParameterName(t.Name)))) + ">"
            : string.Empty;

        return new FallbackModel(
            resolution.Target,
            receiver,
            TypeNames.Escape(target.Name),
            typeArguments,
            resolution.ArgumentMap.ToEquatableArray(),
            resolution.HandlesAllExceptions || resolution.ExceptionType is null ? "global::System.Exception" : TypeNames.RenderNoNullable(resolution.ExceptionType),
            resolution.ReturnKind,
            FallbackResolver.DiffersInNullability(resolution, _method, _context.Known.Compilation));
    }

    /// <summary>The name a handler parameter is made from: the type's name, without the <c>I</c> of an interface such as <c>IPriceEstimator</c>.</summary>
    private static string HandlerName(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Interface && type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1])
            ? type.Name.Substring(1)
            : type.Name;

    private bool TryGetCacheKeys(StrategySettings settings, out EquatableArray<int> keys)
    {
        var indices = new List<int>();
        if (settings.KeyParameters is { } names)
        {
            foreach (var name in names)
            {
                var index = IndexOf(name);
                if (index < 0 || CacheKeyRules.IsUnkeyable(_method.Parameters[index].Type))
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
                if (!_context.Known.IsCancellationToken(_method.Parameters[i].Type))
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

    /// <summary>
    /// Finds the key parameter and the key type: the parameter's type without its nullable annotation, or
    /// <c>object</c> for a bare type parameter, a <c>Nullable&lt;T&gt;</c> or a type using a method type parameter.
    /// </summary>
    private bool TryGetKey(string name, out int index, out string? keyType)
    {
        index = IndexOf(name);
        keyType = null;
        if (index < 0)
        {
            return false;
        }

        var parameter = _method.Parameters[index];
        if (parameter.RefKind is RefKind.Ref or RefKind.Out || parameter.Type.IsRefLikeType)
        {
            return false;
        }

        var type = parameter.Type;
        keyType = AttributeRules.KeysAsObject(type)
            ? "object"
            : TypeNames.Render(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated));
        return true;
    }


    /// <summary>
    /// Binds <c>HandleResult</c>; false when it is set but names no usable predicate. <paramref name="predicate"/> stays
    /// <see langword="null"/> when it is not set or skipped (see <see cref="AttributeRules.SkipsHandleResult"/>).
    /// </summary>
    private bool TryBindPredicate(StrategySettings? settings, out string? predicate)
    {
        predicate = null;
        if (settings?.HandleResult is not { } name)
        {
            return true;
        }

        if (_resultType is null)
        {
            // An interface-level HandleResult is not applied to a method without a result; a method-level one is an error.
            return AttributeRules.SkipsHandleResult(settings.IsInterfaceLevel, methodHasResult: false);
        }

        var owner = settings.DeclaringInterface;
        foreach (var member in owner.GetMembers(name))
        {
            if (member is IMethodSymbol candidate && AttributeRules.IsUsablePredicate(candidate, _resultType, _context.Known.Compilation))
            {
                predicate = TypeNames.RenderNoNullable(owner) + "." + TypeNames.Escape(name);
                return true;
            }
        }

        return false;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _method.Parameters.Length; i++)
        {
            if (_method.Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
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
