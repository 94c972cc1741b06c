using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports a <c>Name</c> shared by two <c>[CircuitBreaker]</c>, <c>[RateLimit]</c> or <c>[Bulkhead]</c> declarations
/// with different settings (RES0011). Same name means same instance, created from whichever declaration runs first.
/// </summary>
/// <remarks>
/// Only explicit names are compared (default names are unique per interface or method). The first declaration in
/// source order is the reference; every later one that differs from it is reported. This runs at the end of the
/// compilation, so some IDE hosts show it only on build.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SharedNameAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Every setting of each named kind, with its default as rendered by <see cref="Render"/>.</summary>
    private static readonly (string Name, string Default)[] CircuitBreakerSettings =
    {
        ("FailureThreshold", "5"), ("FailureRatio", "0"), ("TimeoutRatio", "0"), ("MinimumThroughput", "10"),
        ("SamplingDurationMs", "30000"), ("BreakDurationMs", "30000"), ("HalfOpenMaxCalls", "1"), ("Handle", "null"),
        ("TripPolicy", "null"), ("KeyParameter", "not keyed"), ("MaxKeys", "10000"), ("KeyIdleTimeoutMs", "60000"),
    };

    private static readonly (string Name, string Default)[] RateLimitSettings =
    {
        ("PermitLimit", "100"), ("WindowMs", "1000"), ("Algorithm", "TokenBucket"), ("SegmentsPerWindow", "10"),
        ("QueueLimit", "0"), ("KeyParameter", "not keyed"),
    };

    private static readonly (string Name, string Default)[] BulkheadSettings =
    {
        ("MaxConcurrency", "10"), ("MaxQueue", "0"),
    };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ConflictingSharedName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) =>
            {
                var declarations = new ConcurrentQueue<Declaration>();
                start.RegisterSymbolAction(context => Collect(context, symbols, declarations), SymbolKind.NamedType, SymbolKind.Method);
                start.RegisterCompilationEndAction(context => Report(context, declarations));
            });
    }

    private static void Collect(SymbolAnalysisContext context, ResilienceSymbols symbols, ConcurrentQueue<Declaration> declarations)
    {
        var symbol = context.Symbol;
        var onInterface = symbol is INamedTypeSymbol { TypeKind: TypeKind.Interface }
            || symbol.ContainingType is { TypeKind: TypeKind.Interface };
        if (!onInterface)
        {
            return;
        }

        foreach (var attribute in ResilientInterface.Read(symbol, symbols, symbol is INamedTypeSymbol))
        {
            var settings = attribute.Kind switch
            {
                AttributeKind.CircuitBreaker => CircuitBreakerSettings,
                AttributeKind.RateLimit => RateLimitSettings,
                AttributeKind.Bulkhead => BulkheadSettings,
                _ => null,
            };
            var name = AttributeValues.GetString(attribute.Data, "Name");
            var location = AttributeLocations.Attribute(attribute.Data, context.CancellationToken);
            if (settings is null || string.IsNullOrWhiteSpace(name) || !location.IsInSource)
            {
                continue;
            }

            var values = new string[settings.Length];
            for (var i = 0; i < settings.Length; i++)
            {
                values[i] = settings[i].Name == "KeyParameter"
                    ? Keyed(symbol, AttributeValues.GetString(attribute.Data, "KeyParameter"))
                    : AttributeValues.TryGetNamed(attribute.Data, settings[i].Name, out var constant) ? Render(constant) : settings[i].Default;
            }

            declarations.Enqueue(new Declaration(attribute.Kind, name!, location, settings, values));
        }
    }

    /// <summary>
    /// "not keyed", or "keyed by T" with the key type the generator uses (see <see cref="AttributeRules.KeysAsObject"/>):
    /// two keyed instances of one name with different key types would make the registry throw when the second is
    /// created. An interface-level attribute is keyed by the parameter's type on the first method that has it (every
    /// other method must agree, RES0006).
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
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Name == keyParameter)
                {
                    var keyType = AttributeRules.KeysAsObject(parameter.Type)
                        ? "object"
                        : parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
                    return "keyed by " + keyType;
                }
            }
        }

        return "keyed";
    }

    private static void Report(CompilationAnalysisContext context, ConcurrentQueue<Declaration> declarations)
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

                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.ConflictingSharedName,
                    ordered[i].Location,
                    new[] { first.Location },
                    ResilienceAttribute.GetName(first.Kind),
                    first.Name,
                    DiagnosticText.Position(first.Location),
                    difference));
            }
        }
    }

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

    private sealed class Declaration
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
