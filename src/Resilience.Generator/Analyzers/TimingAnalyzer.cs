using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports timing that is legal but probably wrong: retry delays that reach the enclosing timeout (RES0009), a
/// timeout that cannot cancel the inner call (RES0012), and timeouts or retry delays that block a synchronous
/// caller (RES0013).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TimingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.RetryDelaysExceedTimeout,
        DiagnosticDescriptors.TimeoutWithoutCancellationToken,
        DiagnosticDescriptors.BlockingOnSynchronousMethod);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterPerInterface(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientInterface resilient, ResilienceSymbols symbols)
    {
        var reportedInterfaceLevelDelays = false;
        foreach (var method in resilient.Methods)
        {
            var timeout = Applicable(method, AttributeKind.Timeout, symbols);
            var retry = Applicable(method, AttributeKind.Retry, symbols);
            var timeoutMs = timeout is not null && AttributeValues.TryGetConstructorArgument(timeout.Data, "timeoutMs", out var value) && value.Value is int ms ? ms : 0;

            if (timeout is not null && timeoutMs > 0)
            {
                if (!method.Shape.IsAsync)
                {
                    ReportBlocking(context, method, timeout, "[Timeout]");
                }
                else if (!method.Symbol.Parameters.Any(p => symbols.IsCancellationToken(p.Type)))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.TimeoutWithoutCancellationToken,
                        DiagnosticText.Where(method, timeout, context.CancellationToken),
                        DiagnosticText.Subject(method, timeout)));
                }
            }

            if (retry is null)
            {
                continue;
            }

            var data = retry.Data;
            var maxRetries = AttributeValues.GetInt(data, "MaxRetries", 3);
            var waits = maxRetries > 0
                && (AttributeValues.GetInt(data, "DelayMs", 200) > 0
                    || AttributeValues.GetType(data, "Policy") is not null
                    || AttributeValues.GetInt(data, "AttemptTimeoutMs", 0) > 0);
            if (waits && !method.Shape.IsAsync)
            {
                ReportBlocking(context, method, retry, "[Retry] with delays or attempt timeouts");
            }

            if (timeout is null || timeoutMs <= 0 || !TryGetWorstCaseDelays(data, out var delays) || delays < timeoutMs)
            {
                continue;
            }

            Location location;
            string subject;
            if (retry.IsInterfaceLevel && timeout.IsInterfaceLevel)
            {
                // The same for every method: report once, on the interface's [Retry].
                if (reportedInterfaceLevelDelays)
                {
                    continue;
                }

                reportedInterfaceLevelDelays = true;
                location = AttributeLocations.Attribute(data, context.CancellationToken);
                subject = $"the methods of '{resilient.Type.Name}'";
            }
            else
            {
                var onMethod = retry.IsInterfaceLevel ? timeout : retry;
                location = AttributeLocations.Attribute(onMethod.Data, context.CancellationToken);
                subject = $"'{method.Symbol.Name}'";
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.RetryDelaysExceedTimeout,
                location,
                subject,
                DiagnosticText.Number(Math.Ceiling(delays)),
                DiagnosticText.Number(timeoutMs)));
        }
    }

    private static ResilienceAttribute? Applicable(ResilientMethod method, AttributeKind kind, ResilienceSymbols symbols)
    {
        var attribute = method.Get(kind);
        return attribute is not null && MethodShape.GetProblem(method.Symbol, method.Shape, kind, symbols) is null ? attribute : null;
    }

    private static void ReportBlocking(SymbolAnalysisContext context, ResilientMethod method, ResilienceAttribute attribute, string what)
        => context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.BlockingOnSynchronousMethod,
            DiagnosticText.Where(method, attribute, context.CancellationToken),
            what,
            DiagnosticText.Subject(method, attribute)));

    /// <summary>
    /// The longest the retry delays can add up to: retry <c>n</c> waits the backoff's delay for <c>n</c>, stretched by
    /// the upper jitter band and capped at <c>MaxDelayMs</c>. <see langword="false"/> when a custom policy decides the
    /// delays or a setting is out of range (RES0005 reports that).
    /// </summary>
    internal static bool TryGetWorstCaseDelays(AttributeData retry, out double total)
    {
        total = 0;
        var maxRetries = AttributeValues.GetInt(retry, "MaxRetries", 3);
        var delay = AttributeValues.GetInt(retry, "DelayMs", 200);
        var maxDelay = AttributeValues.GetInt(retry, "MaxDelayMs", 30_000);
        var multiplier = AttributeValues.GetDouble(retry, "Multiplier", 2.0);
        var jitter = AttributeValues.GetDouble(retry, "Jitter", 0.2);
        var backoff = AttributeValues.TryGetNamed(retry, "Backoff", out var constant) && constant.Value is int kind ? kind : 2;
        if (AttributeValues.GetType(retry, "Policy") is not null
            || maxRetries < 0 || delay < 0 || maxDelay <= 0 || maxDelay < delay
            || !(multiplier >= 1) || !(jitter >= 0 && jitter <= 1) || backoff is < 0 or > 2)
        {
            return false;
        }

        // Closed forms, so that MaxRetries = int.MaxValue costs nothing. Retry k's longest delay is
        // first × growth(k), stretched by the upper jitter band, capped at MaxDelayMs; delays never shrink.
        var first = delay * (1 + jitter);
        if (maxRetries == 0 || first == 0)
        {
            return true;
        }

        var cap = (double)maxDelay;
        if (first >= cap)
        {
            total = cap * maxRetries;
            return true;
        }

        // uncapped = how many retries wait less than the cap.
        double uncapped;
        double uncappedSum;
        if (backoff == 0 || (backoff == 2 && multiplier == 1))
        {
            uncapped = maxRetries;
            uncappedSum = first * maxRetries;
        }
        else if (backoff == 1)
        {
            uncapped = Math.Min(maxRetries, Math.Floor(cap / first));
            uncappedSum = first * uncapped * (uncapped + 1) / 2;
        }
        else
        {
            uncapped = Math.Min(maxRetries, Math.Floor(Math.Log(cap / first) / Math.Log(multiplier)) + 1);
            uncappedSum = first * (Math.Pow(multiplier, uncapped) - 1) / (multiplier - 1);
        }

        total = uncappedSum + (cap * (maxRetries - uncapped));
        return true;
    }
}
