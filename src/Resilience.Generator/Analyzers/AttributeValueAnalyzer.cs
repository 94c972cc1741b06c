using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports attribute settings out of their documented range (RES0005) and policy types that cannot be created
/// (RES0008), on the argument that sets them, wherever the attribute is written.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttributeValueAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidAttributeValue,
        DiagnosticDescriptors.PolicyTypeInvalid);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var symbols = ResilienceSymbols.Create(start.Compilation);
            if (symbols is not null)
            {
                start.RegisterSymbolAction(context => Analyze(context, symbols), SymbolKind.NamedType, SymbolKind.Method);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilienceSymbols symbols)
    {
        foreach (var attribute in ResilientInterface.Read(context.Symbol, symbols, context.Symbol is INamedTypeSymbol))
        {
            var check = new Checker(context, symbols, attribute);
            switch (attribute.Kind)
            {
                case AttributeKind.Retry:
                    check.Retry();
                    break;
                case AttributeKind.CircuitBreaker:
                    check.CircuitBreaker();
                    break;
                case AttributeKind.RateLimit:
                    check.RateLimit();
                    break;
                case AttributeKind.Bulkhead:
                    check.Bulkhead();
                    break;
                case AttributeKind.Timeout:
                    check.Timeout();
                    break;
                case AttributeKind.CacheFallback:
                    check.CacheFallback();
                    break;
            }
        }
    }

    private readonly struct Checker
    {
        private readonly SymbolAnalysisContext _context;
        private readonly ResilienceSymbols _symbols;
        private readonly ResilienceAttribute _attribute;

        public Checker(SymbolAnalysisContext context, ResilienceSymbols symbols, ResilienceAttribute attribute)
        {
            _context = context;
            _symbols = symbols;
            _attribute = attribute;
        }

        private AttributeData Data => _attribute.Data;

        private CancellationToken CancellationToken => _context.CancellationToken;

        public void Retry()
        {
            AtLeast("MaxRetries", 0);
            AtLeast("DelayMs", 0);
            AtLeast("MaxDelayMs", 1);
            var delay = AttributeValues.GetInt(Data, "DelayMs", 200);
            if (AttributeValues.TryGetInt(Data, "MaxDelayMs", out var maxDelay) && maxDelay > 0 && delay >= 0 && maxDelay < delay)
            {
                Report("MaxDelayMs", $"MaxDelayMs must not be less than DelayMs ({DiagnosticText.Number(delay)}); got {DiagnosticText.Number(maxDelay)}");
            }
            else if (!AttributeValues.IsSet(Data, "MaxDelayMs") && delay > 30_000)
            {
                Report("DelayMs", $"DelayMs must not be more than MaxDelayMs (30000 by default); got {DiagnosticText.Number(delay)}; lower it or raise MaxDelayMs");
            }

            if (AttributeValues.TryGetDouble(Data, "Multiplier", out var multiplier) && !(multiplier >= 1))
            {
                Report("Multiplier", $"Multiplier must be at least 1; got {DiagnosticText.Number(multiplier)}");
            }

            if (AttributeValues.TryGetDouble(Data, "Jitter", out var jitter) && !(jitter >= 0 && jitter <= 1))
            {
                Report("Jitter", $"Jitter must be between 0 and 1; got {DiagnosticText.Number(jitter)}");
            }

            AtLeast("AttemptTimeoutMs", 0);
            DefinedEnum("Backoff", 2, "Constant, Linear or Exponential");
            ExceptionTypes("RetryOn");
            PolicyType("Policy", _symbols.RetryPolicy, "Resilience.IRetryPolicy");
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
            ExceptionTypes("Handle");
            PolicyType("TripPolicy", _symbols.TripPolicy, "Resilience.ITripPolicy");
            NonEmptyName();
        }

        public void RateLimit()
        {
            AtLeast("PermitLimit", 1);
            AtLeast("WindowMs", 1);
            AtLeast("SegmentsPerWindow", 1);
            AtLeast("QueueLimit", 0);
            DefinedEnum("Algorithm", 2, "TokenBucket, SlidingWindow or FixedWindow");
            NonEmptyName();
        }

        public void Bulkhead()
        {
            AtLeast("MaxConcurrency", 1);
            AtLeast("MaxQueue", 0);
            NonEmptyName();
        }

        public void Timeout()
        {
            if (AttributeValues.TryGetConstructorArgument(Data, "timeoutMs", out var value) && value.Value is int timeout && timeout <= 0)
            {
                var location = AttributeLocations.ConstructorArgument(Data, "timeoutMs", 0, CancellationToken);
                ReportAt(location, $"the timeout must be more than 0 ms; got {DiagnosticText.Number(timeout)}");
            }
        }

        public void CacheFallback()
        {
            AtLeast("TtlMs", 0);
            AtLeast("StaleTtlMs", 0);
            var ttl = AttributeValues.GetInt(Data, "TtlMs", 0);
            var stale = AttributeValues.GetInt(Data, "StaleTtlMs", 300_000);
            if (ttl == 0 && stale == 0)
            {
                var where = AttributeValues.IsSet(Data, "StaleTtlMs") ? "StaleTtlMs" : "TtlMs";
                Report(where, "TtlMs and StaleTtlMs are both 0, so no result is ever used; set either above 0");
            }
        }

        private void AtLeast(string name, int minimum)
        {
            if (AttributeValues.TryGetInt(Data, name, out var value) && value < minimum)
            {
                var bound = minimum == 0 ? "0 or more" : minimum == 1 ? "at least 1" : "at least " + DiagnosticText.Number(minimum);
                Report(name, $"{name} must be {bound}; got {DiagnosticText.Number(value)}");
            }
        }

        private void Ratio(string name)
        {
            if (AttributeValues.TryGetDouble(Data, name, out var value) && !(value >= 0 && value <= 1))
            {
                Report(name, $"{name} must be in (0, 1], or 0 to leave it off; got {DiagnosticText.Number(value)}");
            }
        }

        private void DefinedEnum(string name, int max, string names)
        {
            if (AttributeValues.TryGetNamed(Data, name, out var constant) && constant.Value is int value && (value < 0 || value > max))
            {
                Report(name, $"{name} must be {names}; got {DiagnosticText.Number(value)}");
            }
        }

        private void NonEmptyName()
        {
            if (AttributeValues.TryGetNamed(Data, "Name", out var constant) && constant.Value is string name && name.Trim().Length == 0)
            {
                Report("Name", "Name must not be empty; remove it to use the default name, or give a non-blank name");
            }
        }

        private void ExceptionTypes(string name)
        {
            var values = AttributeValues.GetArray(Data, name);
            if (values.IsDefault)
            {
                return;
            }

            for (var i = 0; i < values.Length; i++)
            {
                var type = values[i].Value as ITypeSymbol;
                if (type is { TypeKind: TypeKind.Error } || _symbols.IsException(type))
                {
                    continue;
                }

                var shown = type is null ? "null" : "'" + type.ToDisplayString() + "'";
                var location = AttributeLocations.NamedArgumentElement(Data, name, i, CancellationToken);
                ReportAt(location, $"{name} lists {shown}, which does not derive from System.Exception; list exception types only");
            }
        }

        private void PolicyType(string name, INamedTypeSymbol? policyInterface, string interfaceName)
        {
            var type = AttributeValues.GetType(Data, name);
            if (type is null || type.TypeKind == TypeKind.Error || policyInterface is null)
            {
                return;
            }

            var problem = GetPolicyProblem(type, policyInterface, interfaceName, _symbols.Compilation);
            if (problem is not null)
            {
                var location = AttributeLocations.NamedArgument(Data, name, CancellationToken);
                _context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PolicyTypeInvalid,
                    location,
                    _attribute.Name + " " + name,
                    type.ToDisplayString(),
                    problem));
            }
        }

        private void Report(string name, string message)
            => ReportAt(AttributeLocations.NamedArgument(Data, name, CancellationToken), message);

        private void ReportAt(Location location, string message)
            => _context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidAttributeValue, location, _attribute.Name, message));

        private static string? GetPolicyProblem(ITypeSymbol type, INamedTypeSymbol policyInterface, string interfaceName, Compilation compilation)
        {
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
    }
}
