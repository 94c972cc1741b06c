using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Binding;

/// <summary>
/// The rule of RES0011: a <c>Name</c> shared by two <c>[CircuitBreaker]</c>, <c>[RateLimit]</c> or <c>[Bulkhead]</c>
/// declarations means one instance, created from whichever declaration runs first, so their settings must agree.
/// </summary>
/// <remarks>
/// Only explicit names are compared (default names are unique per interface or method). The first declaration in
/// source order is the reference; every later one that differs from it is a problem.
/// </remarks>
internal static class SharedNames
{
    /// <summary>Every setting of each named kind, with its default (src/Shared) as rendered by <see cref="Render"/>.</summary>
    private static readonly (string Name, string Default)[] CircuitBreakerSettings =
    {
        ("FailureThreshold", Number(CircuitBreakerDefaults.FailureThreshold)),
        ("FailureRatio", DiagnosticText.Number(CircuitBreakerDefaults.FailureRatio)),
        ("TimeoutRatio", DiagnosticText.Number(CircuitBreakerDefaults.TimeoutRatio)),
        ("MinimumThroughput", Number(CircuitBreakerDefaults.MinimumThroughput)),
        ("SamplingDurationMs", Number(CircuitBreakerDefaults.SamplingDurationMs)),
        ("BreakDurationMs", Number(CircuitBreakerDefaults.BreakDurationMs)),
        ("HalfOpenMaxCalls", Number(CircuitBreakerDefaults.HalfOpenMaxCalls)),
        ("Handle", "null"),
        ("TripPolicy", "null"),
        ("KeyParameter", "not keyed"),
        ("MaxKeys", Number(CircuitBreakerDefaults.MaxKeys)),
        ("KeyIdleTimeoutMs", Number(CircuitBreakerDefaults.KeyIdleTimeoutMs)),
        ("SuccessThreshold", Number(CircuitBreakerDefaults.SuccessThreshold)),
        ("IntervalMs", Number(CircuitBreakerDefaults.IntervalMs)),
        ("HandleException", "null"),
    };

    private static readonly (string Name, string Default)[] RateLimitSettings =
    {
        ("PermitLimit", Number(RateLimitDefaults.PermitLimit)),
        ("WindowMs", Number(RateLimitDefaults.WindowMs)),
        ("Algorithm", RateLimitDefaults.Algorithm.ToString()),
        ("SegmentsPerWindow", Number(RateLimitDefaults.SegmentsPerWindow)),
        ("QueueLimit", Number(RateLimitDefaults.QueueLimit)),
        ("KeyParameter", "not keyed"),
    };

    private static readonly (string Name, string Default)[] BulkheadSettings =
    {
        ("MaxConcurrency", Number(BulkheadDefaults.MaxConcurrency)),
        ("MaxQueue", Number(BulkheadDefaults.MaxQueue)),
        ("MaxWaitMs", Number(BulkheadDefaults.MaxWaitMs)),
        ("Kind", BulkheadDefaults.Kind.ToString()),
    };

    private static readonly (string Name, string Default)[] HedgeSettings =
    {
        ("DelayMs", Number(HedgeDefaults.DelayMs)),
        ("MaxHedges", Number(HedgeDefaults.MaxHedges)),
        ("OnFailure", HedgeDefaults.OnFailure ? "true" : "false"),
    };

    /// <summary>The named declarations among the resilience attributes of <paramref name="symbol"/> (an interface or one of its members).</summary>
    public static IEnumerable<Declaration> Read(ISymbol symbol, KnownSymbols symbols, CancellationToken cancellationToken)
    {
        var onInterface = symbol is INamedTypeSymbol { TypeKind: TypeKind.Interface }
            || symbol.ContainingType is { TypeKind: TypeKind.Interface };
        if (!onInterface)
        {
            yield break;
        }

        foreach (var attribute in AttributeReader.ReadAll(symbol, symbol as INamedTypeSymbol ?? symbol.ContainingType!, symbol is INamedTypeSymbol, symbols))
        {
            var settings = attribute.Kind switch
            {
                AttributeKind.CircuitBreaker => CircuitBreakerSettings,
                AttributeKind.RateLimit => RateLimitSettings,
                AttributeKind.Bulkhead => BulkheadSettings,
                AttributeKind.Hedge => HedgeSettings,
                _ => null,
            };
            var name = AttributeValues.GetString(attribute.Data, "Name");
            var location = AttributeLocations.Attribute(attribute.Data, cancellationToken);
            if (settings is null || string.IsNullOrWhiteSpace(name) || !location.IsInSource)
            {
                continue;
            }

            var values = new string[settings.Length];
            for (var i = 0; i < settings.Length; i++)
            {
                values[i] = settings[i].Name == "KeyParameter"
                    ? Keyed(symbol, attribute.KeyParameter)
                    : settings[i].Name == "HandleException" && AttributeValues.GetString(attribute.Data, "HandleException") is { } method
                    ? attribute.DeclaringInterface.ToDisplayString() + "." + method
                    : AttributeValues.TryGetNamed(attribute.Data, settings[i].Name, out var constant) ? Render(constant) : settings[i].Default;
            }

            yield return new Declaration(attribute.Kind, name!, location, settings, values);
        }
    }

    /// <summary>
    /// "not keyed", or "keyed by T" with the key type the generator uses (<see cref="KeyTypes"/>): two keyed instances of
    /// one name with different key types would make the registry throw when the second is created. An interface-level
    /// attribute is keyed by the parameter's type on the first method that has it (every other method must agree, RES0006).
    /// </summary>
    private static string Keyed(ISymbol symbol, string? keyParameter)
    {
        if (keyParameter is null)
        {
            return "not keyed";
        }

        var methods = symbol is INamedTypeSymbol type
            ? type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary)
            : symbol is IMethodSymbol declared ? new[] { declared } : Enumerable.Empty<IMethodSymbol>();
        foreach (var method in methods)
        {
            var index = ParameterBinding.IndexOf(method, keyParameter);
            if (index >= 0)
            {
                return "keyed by " + KeyTypes.Display(method.Parameters[index].Type);
            }
        }

        return "keyed";
    }

    /// <summary>The problems among all the declarations of a compilation.</summary>
    public static void Compare(IEnumerable<Declaration> declarations, Problems problems)
    {
        var groups = declarations
            .GroupBy(d => (d.Kind, d.Name))
            .Where(g => g.Skip(1).Any());
        foreach (var group in groups)
        {
            var ordered = group
                .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                .ThenBy(d => d.Location.SourceSpan.Start)
                .ToList();
            var first = ordered[0];
            for (var i = 1; i < ordered.Count; i++)
            {
                var difference = first.Describe(ordered[i]);
                if (difference is null)
                {
                    continue;
                }

                problems.Add(
                    DiagnosticDescriptors.ConflictingSharedName,
                    ordered[i].Location,
                    new[] { first.Location },
                    BoundAttribute.GetName(first.Kind),
                    first.Name,
                    DiagnosticText.Position(first.Location),
                    difference);
            }
        }
    }

    private static string Number(int value) => DiagnosticText.Number(value);

    /// <summary>A setting's value as text, so that equal settings compare equal however they are written.</summary>
    private static string Render(TypedConstant constant)
    {
        if (constant.IsNull)
        {
            return "null";
        }

        switch (constant.Kind)
        {
            case TypedConstantKind.Array:
                var elements = constant.Values.Select(Render).OrderBy(s => s, StringComparer.Ordinal);
                return "[" + string.Join(", ", elements) + "]";
            case TypedConstantKind.Type:
                return ((ITypeSymbol)constant.Value!).ToDisplayString();
            case TypedConstantKind.Enum:
                foreach (var member in constant.Type!.GetMembers())
                {
                    if (member is IFieldSymbol { HasConstantValue: true } field && Equals(field.ConstantValue, constant.Value))
                    {
                        return field.Name;
                    }
                }

                return Convert.ToString(constant.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            default:
                return constant.Value switch
                {
                    double number => DiagnosticText.Number(number),
                    int number => DiagnosticText.Number(number),
                    _ => Convert.ToString(constant.Value, CultureInfo.InvariantCulture) ?? string.Empty,
                };
        }
    }

    public sealed class Declaration
    {
        private readonly (string Name, string Default)[] _settings;
        private readonly string[] _values;

        public Declaration(AttributeKind kind, string name, Location location, (string Name, string Default)[] settings, string[] values)
        {
            Kind = kind;
            Name = name;
            Location = location;
            _settings = settings;
            _values = values;
        }

        public AttributeKind Kind { get; }

        public string Name { get; }

        public Location Location { get; }

        /// <summary>The settings that differ, as <c>FailureThreshold 3 here, 5 there</c>; <see langword="null"/> when none do.</summary>
        public string? Describe(Declaration other)
        {
            StringBuilder? builder = null;
            for (var i = 0; i < _values.Length; i++)
            {
                if (_values[i] == other._values[i])
                {
                    continue;
                }

                builder = builder is null ? new StringBuilder() : builder.Append("; ");
                builder.Append(_settings[i].Name).Append(' ').Append(other._values[i]).Append(" here, ").Append(_values[i]).Append(" there");
            }

            return builder?.ToString();
        }
    }
}
