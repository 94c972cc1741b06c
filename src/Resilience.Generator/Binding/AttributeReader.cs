using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Binding;

/// <summary>
/// Reads a resilience attribute into a <see cref="BoundAttribute"/>: a typed <see cref="StrategySpec"/> of what it
/// sets, the names it refers to, the value rules it breaks (<see cref="AttributeRules"/>), and whether it is valid:
/// every argument bound and no rule error (a warning such as RES0017 leaves the attribute applied). Arguments that did
/// not bind are left to the compiler.
/// </summary>
internal static class AttributeReader
{
    /// <summary>The resilience attributes written on <paramref name="symbol"/>, in declaration order.</summary>
    public static ImmutableArray<BoundAttribute> ReadAll(ISymbol symbol, INamedTypeSymbol declaringInterface, bool isInterfaceLevel, KnownSymbols symbols)
    {
        ImmutableArray<BoundAttribute>.Builder? builder = null;
        foreach (var data in symbol.GetAttributes())
        {
            if (symbols.TryGetKind(data, out var kind))
            {
                builder ??= ImmutableArray.CreateBuilder<BoundAttribute>();
                builder.Add(Read(data, kind, declaringInterface, isInterfaceLevel, symbols));
            }
        }

        return builder?.ToImmutable() ?? ImmutableArray<BoundAttribute>.Empty;
    }

    public static BoundAttribute Read(AttributeData data, AttributeKind kind, INamedTypeSymbol declaringInterface, bool isInterfaceLevel, KnownSymbols symbols)
    {
        var attribute = new BoundAttribute(kind, data, declaringInterface, isInterfaceLevel)
        {
            Violations = AttributeRules.Check(kind, data, declaringInterface, symbols),
        };

        if (kind == AttributeKind.Fallback && FallbackArguments.TryRead(data, out var arguments))
        {
            attribute.Fallback = arguments;
        }

        if (data.AttributeConstructor is null || data.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
        {
            attribute.IsValid = false;
            return attribute;
        }

        var named = new Dictionary<string, TypedConstant>();
        foreach (var argument in data.NamedArguments)
        {
            if (argument.Value.Kind == TypedConstantKind.Error)
            {
                attribute.IsValid = false;
                return attribute;
            }

            named[argument.Key] = argument.Value;
        }

        var reader = new Reader(attribute, named, symbols);
        switch (kind)
        {
            case AttributeKind.Retry:
                attribute.Spec = reader.Retry();
                break;
            case AttributeKind.CircuitBreaker:
                attribute.Spec = reader.CircuitBreaker();
                break;
            case AttributeKind.RateLimit:
                attribute.Spec = reader.RateLimit();
                break;
            case AttributeKind.Bulkhead:
                attribute.Spec = reader.Bulkhead();
                break;
            case AttributeKind.Timeout:
                if (data.ConstructorArguments.Length == 1 && data.ConstructorArguments[0].Value is int timeout)
                {
                    attribute.Spec = new TimeoutSpec(timeout);
                }
                else
                {
                    attribute.IsValid = false;
                }

                break;
            case AttributeKind.Fallback:
                ReadFallback(data, attribute);
                reader.AnswerMarkedResults();
                break;
            case AttributeKind.CacheFallback:
                attribute.Spec = reader.CacheFallback();
                break;
            case AttributeKind.Hedge:
                attribute.Spec = reader.Hedge();
                break;
        }

        if (attribute.IsValid && attribute.Violations.Exists(static v => v.IsError))
        {
            attribute.IsValid = false;
        }

        return attribute;
    }

    private static void ReadFallback(AttributeData data, BoundAttribute attribute)
    {
        var arguments = data.ConstructorArguments;
        if (arguments.Length == 1 && arguments[0].Value is string name)
        {
            attribute.MethodName = name;
        }
        else if (arguments.Length == 2 && arguments[0].Value is INamedTypeSymbol handler && arguments[1].Value is string method)
        {
            attribute.HandlerType = handler;
            attribute.MethodName = method;
        }
        else
        {
            attribute.IsValid = false;
        }
    }

    private sealed class Reader
    {
        private readonly BoundAttribute _attribute;
        private readonly Dictionary<string, TypedConstant> _named;
        private readonly KnownSymbols _symbols;

        public Reader(BoundAttribute attribute, Dictionary<string, TypedConstant> named, KnownSymbols symbols)
        {
            _attribute = attribute;
            _named = named;
            _symbols = symbols;
        }

        public RetrySpec Retry()
        {
            var spec = new RetrySpec(
                Int("MaxRetries"),
                Int("DelayMs"),
                Int("MaxDelayMs"),
                Enum<BackoffType>("Backoff"),
                Double("Multiplier"),
                Double("Jitter"),
                ExceptionTypes("RetryOn"),
                Policy("Policy", _symbols.RetryPolicy),
                Int("AttemptTimeoutMs"),
                String("Budget"));
            _attribute.HandleResult = String("HandleResult");
            return spec;
        }

        public CircuitBreakerSpec CircuitBreaker()
        {
            var spec = new CircuitBreakerSpec(
                Int("FailureThreshold"),
                Double("FailureRatio"),
                Double("TimeoutRatio"),
                Int("MinimumThroughput"),
                Int("SamplingDurationMs"),
                Int("BreakDurationMs"),
                Int("HalfOpenMaxCalls"),
                Int("MaxKeys"),
                Int("KeyIdleTimeoutMs"),
                ExceptionTypes("Handle"),
                Policy("TripPolicy", _symbols.TripPolicy),
                Int("SuccessThreshold"),
                Int("IntervalMs"),
                HandleException());
            _attribute.InstanceName = String("Name");
            _attribute.KeyParameter = String("KeyParameter");
            _attribute.HandleResult = String("HandleResult");
            return spec;
        }

        public RateLimitSpec RateLimit()
        {
            var spec = new RateLimitSpec(
                Int("PermitLimit"),
                Int("WindowMs"),
                Enum<RateLimitAlgorithm>("Algorithm"),
                Int("SegmentsPerWindow"),
                Int("QueueLimit"));
            _attribute.InstanceName = String("Name");
            _attribute.KeyParameter = String("KeyParameter");
            return spec;
        }

        public HedgeSpec Hedge()
        {
            var spec = new HedgeSpec(Int("DelayMs"), Int("MaxHedges"), Bool("OnFailure"));
            _attribute.InstanceName = String("Name");
            return spec;
        }

        public BulkheadSpec Bulkhead()
        {
            var spec = new BulkheadSpec(Int("MaxConcurrency"), Int("MaxQueue"), Int("MaxWaitMs"), Enum<BulkheadKind>("Kind"));
            _attribute.InstanceName = String("Name");
            return spec;
        }

        /// <summary><c>AnswerMarkedResults</c> of <c>[Fallback]</c> and <c>[CacheFallback]</c>: read into the pipeline, not an option.</summary>
        public void AnswerMarkedResults()
        {
            if (_named.TryGetValue("AnswerMarkedResults", out var constant))
            {
                if (constant.Value is bool value)
                {
                    _attribute.AnswerMarkedResults = value;
                }
                else
                {
                    Invalid();
                }
            }
        }

        public CacheFallbackSpec CacheFallback()
        {
            AnswerMarkedResults();
            var spec = new CacheFallbackSpec(Int("TtlMs"), Int("StaleTtlMs"));
            if (_named.TryGetValue("KeyParameters", out var keys) && !keys.IsNull)
            {
                var names = new List<string>();
                foreach (var key in keys.Values)
                {
                    if (key.Value is string name)
                    {
                        names.Add(name);
                    }
                    else
                    {
                        Invalid();
                    }
                }

                _attribute.KeyParameters = names;
            }

            _attribute.KeyMethod = String("KeyMethod");
            return spec;
        }

        /// <summary><c>HandleException</c> as the method the options name; whether it binds is a rule (RES0027–RES0029).</summary>
        private string? HandleException()
            => String("HandleException") is { } name
                ? TypeNames.RenderNoNullable(_attribute.DeclaringInterface) + "." + TypeNames.Escape(name)
                : null;

        private void Invalid() => _attribute.IsValid = false;

        private int? Int(string name)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return null;
            }

            if (constant.Value is not int value)
            {
                Invalid();
                return null;
            }

            return value;
        }

        private bool? Bool(string name)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return null;
            }

            if (constant.Value is not bool value)
            {
                Invalid();
                return null;
            }

            return value;
        }

        private double? Double(string name)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return null;
            }

            if (constant.Value is not double value)
            {
                Invalid();
                return null;
            }

            return value;
        }

        /// <summary>A value of one of the shared enums; out of range is a rule violation (RES0005), never rendered.</summary>
        private TEnum? Enum<TEnum>(string name)
            where TEnum : struct, System.Enum
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return null;
            }

            if (constant.Value is not int value || !System.Enum.IsDefined(typeof(TEnum), value))
            {
                Invalid();
                return null;
            }

            return (TEnum)System.Enum.ToObject(typeof(TEnum), value);
        }

        private string? String(string name)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return null;
            }

            if (constant.Value is string value)
            {
                return value;
            }

            Invalid();
            return null;
        }

        private EquatableArray<string>? ExceptionTypes(string name)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return null;
            }

            var types = new List<string>();
            foreach (var element in constant.Values)
            {
                if (element.Value is not ITypeSymbol type || type.TypeKind == TypeKind.Error)
                {
                    Invalid();
                    return null;
                }

                types.Add(TypeNames.RenderNoNullable(type));
            }

            return types.ToEquatableArray();
        }

        private string? Policy(string name, INamedTypeSymbol? policyInterface)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return null;
            }

            // Whether the type can be created is a rule (RES0008); here only whether it bound.
            if (constant.Value is not INamedTypeSymbol type || type.TypeKind == TypeKind.Error || policyInterface is null)
            {
                Invalid();
                return null;
            }

            return TypeNames.RenderNoNullable(type);
        }
    }
}
