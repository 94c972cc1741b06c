using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>
/// Reads a resilience attribute into <see cref="StrategySettings"/>: option assignments for what it sets, and whether
/// its values are valid: every argument bound, and <see cref="AttributeRules"/> (which the analyzers report) finds no
/// error (a warning such as RES0017 leaves the attribute applied). Invalid attributes are left to the compiler and the analyzers.
/// </summary>
internal static class AttributeReader
{
    public static StrategySettings Read(AttributeData data, AttributeKind kind, INamedTypeSymbol declaringInterface, bool isInterfaceLevel, KnownTypes known)
    {
        var settings = new StrategySettings(kind, declaringInterface, isInterfaceLevel);
        if (data.AttributeConstructor is null || data.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
        {
            settings.IsValid = false;
            return settings;
        }

        var named = new Dictionary<string, TypedConstant>();
        foreach (var argument in data.NamedArguments)
        {
            if (argument.Value.Kind == TypedConstantKind.Error)
            {
                settings.IsValid = false;
                return settings;
            }

            named[argument.Key] = argument.Value;
        }

        var reader = new Reader(settings, named, known);
        switch (kind)
        {
            case AttributeKind.Retry:
                reader.Retry();
                break;
            case AttributeKind.CircuitBreaker:
                reader.CircuitBreaker();
                break;
            case AttributeKind.RateLimit:
                reader.RateLimit();
                break;
            case AttributeKind.Bulkhead:
                reader.Bulkhead();
                break;
            case AttributeKind.Timeout:
                if (data.ConstructorArguments.Length == 1 && data.ConstructorArguments[0].Value is int timeout)
                {
                    settings.TimeoutMs = timeout;
                }
                else
                {
                    settings.IsValid = false;
                }

                break;
            case AttributeKind.Fallback:
                ReadFallback(data, settings);
                reader.AnswerMarkedResults();
                break;
            case AttributeKind.CacheFallback:
                reader.CacheFallback();
                break;
        }

        if (settings.IsValid && AttributeRules.Check(kind, data, known.Rules).Exists(static v => v.IsError))
        {
            settings.IsValid = false;
        }

        return settings;
    }

    private static void ReadFallback(AttributeData data, StrategySettings settings)
    {
        var arguments = data.ConstructorArguments;
        if (arguments.Length == 1 && arguments[0].Value is string name)
        {
            settings.MethodName = name;
        }
        else if (arguments.Length == 2 && arguments[0].Value is INamedTypeSymbol handler && arguments[1].Value is string method)
        {
            settings.HandlerType = handler;
            settings.MethodName = method;
        }
        else
        {
            settings.IsValid = false;
        }
    }

    private sealed class Reader
    {
        private readonly StrategySettings _settings;
        private readonly Dictionary<string, TypedConstant> _named;
        private readonly KnownTypes _known;

        public Reader(StrategySettings settings, Dictionary<string, TypedConstant> named, KnownTypes known)
        {
            _settings = settings;
            _named = named;
            _known = known;
        }

        public void Retry()
        {
            Int("MaxRetries", "MaxRetries");
            Int("DelayMs", "Delay", milliseconds: true);
            Int("MaxDelayMs", "MaxDelay", milliseconds: true);
            Enum("Backoff", "global::Resilience.BackoffType", new[] { "Constant", "Linear", "Exponential" });
            Double("Multiplier");
            Double("Jitter");
            ExceptionTypes("RetryOn");
            Policy("Policy", _known.Rules.RetryPolicy);
            var attempt = Int("AttemptTimeoutMs", "AttemptTimeout", milliseconds: true);
            _settings.HasAttemptTimeout = attempt is > 0;
            _settings.HandleResult = String("HandleResult");
        }

        public void CircuitBreaker()
        {
            Int("FailureThreshold", "FailureThreshold");
            Double("FailureRatio");
            Double("TimeoutRatio");
            Int("MinimumThroughput", "MinimumThroughput");
            Int("SamplingDurationMs", "SamplingDuration", milliseconds: true);
            Int("BreakDurationMs", "BreakDuration", milliseconds: true);
            Int("HalfOpenMaxCalls", "HalfOpenMaxCalls");
            Int("MaxKeys", "MaxKeys");
            Int("KeyIdleTimeoutMs", "KeyIdleTimeout", milliseconds: true);
            ExceptionTypes("Handle");
            Policy("TripPolicy", _known.Rules.TripPolicy);
            Name();
            _settings.KeyParameter = String("KeyParameter");
            _settings.HandleResult = String("HandleResult");
        }

        public void RateLimit()
        {
            Int("PermitLimit", "PermitLimit");
            Int("WindowMs", "Window", milliseconds: true);
            Enum("Algorithm", "global::Resilience.RateLimitAlgorithm", new[] { "TokenBucket", "SlidingWindow", "FixedWindow" });
            Int("SegmentsPerWindow", "SegmentsPerWindow");
            Int("QueueLimit", "QueueLimit");
            Name();
            _settings.KeyParameter = String("KeyParameter");
        }

        public void Bulkhead()
        {
            Int("MaxConcurrency", "MaxConcurrency");
            Int("MaxQueue", "MaxQueue");
            Name();
        }

        /// <summary><c>AnswerMarkedResults</c> of <c>[Fallback]</c> and <c>[CacheFallback]</c>: read into the model, no option.</summary>
        public void AnswerMarkedResults()
        {
            if (_named.TryGetValue("AnswerMarkedResults", out var constant))
            {
                if (constant.Value is bool value)
                {
                    _settings.AnswerMarkedResults = value;
                }
                else
                {
                    Invalid();
                }
            }
        }

        public void CacheFallback()
        {
            AnswerMarkedResults();
            Int("TtlMs", "Ttl", milliseconds: true);
            Int("StaleTtlMs", "StaleTtl", milliseconds: true);
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

                _settings.KeyParameters = names;
            }

            _settings.KeyMethod = String("KeyMethod");
        }

        private void Invalid() => _settings.IsValid = false;

        private int? Int(string attributeName, string optionName, bool milliseconds = false)
        {
            if (!_named.TryGetValue(attributeName, out var constant))
            {
                return null;
            }

            if (constant.Value is not int value)
            {
                Invalid();
                return null;
            }

            var text = value.ToString(CultureInfo.InvariantCulture);
            _settings.Options.Add(milliseconds
                ? $"{optionName} = global::System.TimeSpan.FromMilliseconds({text})"
                : $"{optionName} = {text}");
            return value;
        }

        private void Double(string name)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return;
            }

            if (constant.Value is not double value)
            {
                Invalid();
                return;
            }

            _settings.Options.Add($"{name} = {TypeNames.Double(value)}");
        }

        private void Enum(string name, string enumType, string[] members)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return;
            }

            if (constant.Value is not int value || value < 0 || value >= members.Length)
            {
                // Out of range is a rule violation; no option is rendered for it.
                Invalid();
                return;
            }

            _settings.Options.Add($"{name} = {enumType}.{members[value]}");
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

        private void Name()
        {
            var name = String("Name");
            if (name is null)
            {
                return;
            }

            _settings.Name = name;
        }

        private void ExceptionTypes(string name)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return;
            }

            var types = new List<string>();
            foreach (var element in constant.Values)
            {
                if (element.Value is not ITypeSymbol type || type.TypeKind == TypeKind.Error)
                {
                    Invalid();
                    return;
                }

                types.Add("typeof(" + TypeNames.RenderNoNullable(type) + ")");
            }

            _settings.Options.Add(types.Count == 0
                ? $"{name} = global::System.Array.Empty<global::System.Type>()"
                : $"{name} = new global::System.Type[] {{ {string.Join(", ", types)} }}");
        }

        private void Policy(string name, INamedTypeSymbol? policyInterface)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return;
            }

            // Whether the type can be created is a rule (RES0008); here only whether it bound.
            if (constant.Value is not INamedTypeSymbol type || type.TypeKind == TypeKind.Error || policyInterface is null)
            {
                Invalid();
                return;
            }

            _settings.Options.Add($"{name} = new {TypeNames.RenderNoNullable(type)}()");
        }
    }
}
