using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Parsing;

/// <summary>
/// Reads a resilience attribute into <see cref="StrategySettings"/>: option assignments for what it sets, and whether
/// its values are valid (the same ranges the analyzers report; invalid attributes are left to them).
/// </summary>
internal static class AttributeReader
{
    public static StrategySettings Read(AttributeData data, ResilienceKind kind, INamedTypeSymbol declaringInterface, bool isInterfaceLevel, KnownTypes known)
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
            case ResilienceKind.Retry:
                reader.Retry();
                break;
            case ResilienceKind.CircuitBreaker:
                reader.CircuitBreaker();
                break;
            case ResilienceKind.RateLimit:
                reader.RateLimit();
                break;
            case ResilienceKind.Bulkhead:
                reader.Bulkhead();
                break;
            case ResilienceKind.Timeout:
                if (data.ConstructorArguments.Length == 1 && data.ConstructorArguments[0].Value is int timeout)
                {
                    settings.TimeoutMs = timeout;
                    settings.IsValid &= timeout > 0;
                }
                else
                {
                    settings.IsValid = false;
                }

                break;
            case ResilienceKind.Fallback:
                ReadFallback(data, settings);
                break;
            case ResilienceKind.CacheFallback:
                reader.CacheFallback();
                break;
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
            Int("MaxRetries", "MaxRetries", 0);
            var delay = Int("DelayMs", "Delay", 0, milliseconds: true) ?? 200;
            var maxDelay = Int("MaxDelayMs", "MaxDelay", 1, milliseconds: true);
            if ((maxDelay is { } max && delay >= 0 && max < delay) || (maxDelay is null && delay > 30_000))
            {
                Invalid();
            }

            Enum("Backoff", "global::Resilience.BackoffType", new[] { "Constant", "Linear", "Exponential" });
            Double("Multiplier", min: 1, max: double.MaxValue);
            Double("Jitter", min: 0, max: 1);
            ExceptionTypes("RetryOn");
            Policy("Policy", _known.RetryPolicy);
            var attempt = Int("AttemptTimeoutMs", "AttemptTimeout", 0, milliseconds: true);
            _settings.HasAttemptTimeout = attempt is > 0;
            _settings.HandleResult = String("HandleResult");
        }

        public void CircuitBreaker()
        {
            Int("FailureThreshold", "FailureThreshold", 1);
            Double("FailureRatio", min: 0, max: 1);
            Double("TimeoutRatio", min: 0, max: 1);
            Int("MinimumThroughput", "MinimumThroughput", 1);
            Int("SamplingDurationMs", "SamplingDuration", 1, milliseconds: true);
            Int("BreakDurationMs", "BreakDuration", 1, milliseconds: true);
            Int("HalfOpenMaxCalls", "HalfOpenMaxCalls", 1);
            ExceptionTypes("Handle");
            Policy("TripPolicy", _known.TripPolicy);
            Name();
            _settings.KeyParameter = String("KeyParameter");
            _settings.HandleResult = String("HandleResult");
        }

        public void RateLimit()
        {
            Int("PermitLimit", "PermitLimit", 1);
            Int("WindowMs", "Window", 1, milliseconds: true);
            Enum("Algorithm", "global::Resilience.RateLimitAlgorithm", new[] { "TokenBucket", "SlidingWindow", "FixedWindow" });
            Int("SegmentsPerWindow", "SegmentsPerWindow", 1);
            Int("QueueLimit", "QueueLimit", 0);
            Name();
            _settings.KeyParameter = String("KeyParameter");
        }

        public void Bulkhead()
        {
            Int("MaxConcurrency", "MaxConcurrency", 1);
            Int("MaxQueue", "MaxQueue", 0);
            Name();
        }

        public void CacheFallback()
        {
            var ttl = Int("TtlMs", "Ttl", 0, milliseconds: true) ?? 0;
            var stale = Int("StaleTtlMs", "StaleTtl", 0, milliseconds: true) ?? 300_000;
            if (ttl == 0 && stale == 0)
            {
                Invalid();
            }

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
        }

        private void Invalid() => _settings.IsValid = false;

        private int? Int(string attributeName, string optionName, int minimum, bool milliseconds = false)
        {
            if (!_named.TryGetValue(attributeName, out var constant))
            {
                return null;
            }

            if (constant.Value is not int value || value < minimum)
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

        private void Double(string name, double min, double max)
        {
            if (!_named.TryGetValue(name, out var constant))
            {
                return;
            }

            if (constant.Value is not double value || !(value >= min && value <= max))
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

            if (name.Trim().Length == 0)
            {
                Invalid();
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
                if (element.Value is not ITypeSymbol type || type.TypeKind == TypeKind.Error || !IsException(type))
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

        private bool IsException(ITypeSymbol type)
        {
            for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
            {
                if (current.ToDisplayString() == "System.Exception")
                {
                    return true;
                }
            }

            return false;
        }

        private void Policy(string name, INamedTypeSymbol? policyInterface)
        {
            if (!_named.TryGetValue(name, out var constant) || constant.IsNull)
            {
                return;
            }

            if (constant.Value is not INamedTypeSymbol type || policyInterface is null || !IsUsablePolicy(type, policyInterface))
            {
                Invalid();
                return;
            }

            _settings.Options.Add($"{name} = new {TypeNames.RenderNoNullable(type)}()");
        }

        private bool IsUsablePolicy(INamedTypeSymbol type, INamedTypeSymbol policyInterface)
        {
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract || type.IsUnboundGenericType
                || !type.AllInterfaces.Contains(policyInterface, SymbolEqualityComparer.Default)
                || !_known.Compilation.IsSymbolAccessibleWithin(type, _known.Compilation.Assembly))
            {
                return false;
            }

            if (type.TypeKind == TypeKind.Struct)
            {
                return true;
            }

            return type.InstanceConstructors.Any(c => c.Parameters.Length == 0
                && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal
                && _known.Compilation.IsSymbolAccessibleWithin(c, _known.Compilation.Assembly));
        }
    }
}
