using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Generator.Binding;
using Resilience.Generator.Emitting;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator;

/// <summary>Turns resilience attributes on interfaces into generated <c>*Resilient</c> decorators.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class ResilienceGenerator : IIncrementalGenerator
{
    private static readonly string Version = typeof(ResilienceGenerator).Assembly.GetName().Version?.ToString() ?? "1.0.0.0";

    /// <summary>The models this generator bound, reused by later compilations that declare the same things.</summary>
    internal ModelReuse Reuse { get; } = new();

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var reuse = Reuse;
        var retry = Interfaces(context, "Resilience.RetryAttribute", TrackingNames.RetryInterfaces, reuse);
        var circuitBreaker = Interfaces(context, "Resilience.CircuitBreakerAttribute", TrackingNames.CircuitBreakerInterfaces, reuse);
        var rateLimit = Interfaces(context, "Resilience.RateLimitAttribute", TrackingNames.RateLimitInterfaces, reuse);
        var bulkhead = Interfaces(context, "Resilience.BulkheadAttribute", TrackingNames.BulkheadInterfaces, reuse);
        var timeout = Interfaces(context, "Resilience.TimeoutAttribute", TrackingNames.TimeoutInterfaces, reuse);
        var fallback = Interfaces(context, "Resilience.FallbackAttribute", TrackingNames.FallbackInterfaces, reuse);
        var cacheFallback = Interfaces(context, "Resilience.CacheFallbackAttribute", TrackingNames.CacheFallbackInterfaces, reuse);
        var hedge = Interfaces(context, "Resilience.HedgeAttribute", TrackingNames.HedgeInterfaces, reuse);

        var all = retry.Collect()
            .Combine(circuitBreaker.Collect())
            .Combine(rateLimit.Collect())
            .Combine(bulkhead.Collect())
            .Combine(timeout.Collect())
            .Combine(fallback.Collect())
            .Combine(cacheFallback.Collect())
            .Combine(hedge.Collect())
            .Select(static (pair, _) => Distinct(
                pair.Left.Left.Left.Left.Left.Left.Left,
                pair.Left.Left.Left.Left.Left.Left.Right,
                pair.Left.Left.Left.Left.Left.Right,
                pair.Left.Left.Left.Left.Right,
                pair.Left.Left.Left.Right,
                pair.Left.Left.Right,
                pair.Left.Right,
                pair.Right))
            .WithTrackingName(TrackingNames.AllInterfaces);

        var interfaces = all
            .SelectMany(static (models, _) => models)
            .WithTrackingName(TrackingNames.Interfaces);

        var features = context.CompilationProvider
            .Select(static (compilation, _) => CompilationFeatures.From(compilation))
            .WithTrackingName(TrackingNames.CompilationFeatures);

        var output = interfaces.Combine(features).WithTrackingName(TrackingNames.Output);
        context.RegisterSourceOutput(output, static (spc, pair) => Emit(spc, pair.Left, pair.Right));

        // Closed generic interfaces are registered where the project writes them: AddResilient<IRepo<Customer>, …>().
        var sites = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => RegistrationSiteParser.IsCandidate(node), static (ctx, ct) => RegistrationSiteParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.RegistrationSites);
        var registrations = sites
            .Collect()
            .Select(static (found, _) => found.Where(s => s is not null).Select(s => s!).ToEquatableArray())
            .Combine(all)
            .Combine(features)
            .WithTrackingName(TrackingNames.ClosedGenericRegistrations);
        context.RegisterSourceOutput(registrations, static (spc, pair) => EmitClosedGenericRegistrations(spc, pair.Left.Left, pair.Left.Right, pair.Right));
    }

    private static void EmitClosedGenericRegistrations(
        SourceProductionContext context,
        EquatableArray<ClosedGenericRegistrationModel> sites,
        EquatableArray<InterfaceModel> interfaces,
        CompilationFeatures features)
    {
        string? text;
        try
        {
            text = ClosedGenericRegistrationEmitter.Emit(sites, interfaces, features, Version);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ReportFailure(context, "closed generic registrations", Describe(exception));
            return;
        }

        if (text is not null)
        {
            context.AddSource(ClosedGenericRegistrationEmitter.HintName, text);
        }
    }

    /// <summary>
    /// Test hook: called with the interface's display name before it is parsed (prefixed <c>"parse:"</c>) and before it
    /// is emitted (<c>"emit:"</c>), so that a test can make either fail. Always <see langword="null"/> outside tests.
    /// </summary>
    internal static Action<string>? FailureHookForTests;

    /// <summary>
    /// Writes one decorator. An unexpected exception (a bug of the generator) becomes RES0018 naming the interface,
    /// so that only this interface loses its decorator: an exception escaping the generator would be CS8785 and
    /// remove every decorator of the project.
    /// </summary>
    private static void Emit(SourceProductionContext context, InterfaceModel model, CompilationFeatures features)
    {
        if (model.Failure is not null)
        {
            ReportFailure(context, model.InterfaceType, model.Failure);
            return;
        }

        string text;
        try
        {
            FailureHookForTests?.Invoke("emit:" + model.InterfaceType);
            text = ResilientClassEmitter.Emit(model, features, Version);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ReportFailure(context, model.InterfaceType, Describe(exception));
            return;
        }

        context.AddSource(model.HintName, text);
    }

    private static void ReportFailure(SourceProductionContext context, string interfaceType, string failure)
        => context.ReportDiagnostic(Diagnostic.Create(
            Diagnostics.DiagnosticDescriptors.GeneratorFailed,
            Location.None,
            interfaceType.Replace("global::", string.Empty),
            failure));

    private static string Describe(Exception exception)
    {
        var frame = exception.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return $"{exception.GetType().FullName}: {exception.Message}" + (frame is null ? string.Empty : $" ({frame})");
    }

    /// <summary>
    /// One output per node that carries <paramref name="attribute"/>: the interface's model from its representative
    /// node, <see langword="null"/> from the others. The nulls flow on into <see cref="Distinct"/>, so that every
    /// tracked step stays reachable from the output (the driver reports only those), even for a kind that is never
    /// an interface's representative.
    /// </summary>
    private static IncrementalValuesProvider<InterfaceModel?> Interfaces(IncrementalGeneratorInitializationContext context, string attribute, string trackingName, ModelReuse reuse)
        => context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute, static (node, _) => IsCandidate(node), (ctx, ct) => Transform(ctx, reuse, ct))
            .WithTrackingName(trackingName);

    /// <summary>Syntax only: an interface, or a method declared in one.</summary>
    private static bool IsCandidate(SyntaxNode node)
        => node is InterfaceDeclarationSyntax or MethodDeclarationSyntax { Parent: InterfaceDeclarationSyntax };

    /// <summary>
    /// The model of the interface when this node and this pipeline's attribute are its representative
    /// (<see cref="Representative"/>); <see langword="null"/> for every other node, cheaply, so each interface is
    /// parsed once per run however many attributes it carries, and not at all when the compilation declares the same
    /// things as one already bound (<see cref="ModelReuse"/>: after an edit inside a method body).
    /// </summary>
    private static InterfaceModel? Transform(GeneratorAttributeSyntaxContext context, ModelReuse reuse, CancellationToken cancellationToken)
    {
        var type = context.TargetSymbol switch
        {
            INamedTypeSymbol named => named,
            IMethodSymbol method => method.ContainingType,
            _ => null,
        };

        if (type is null || !Representative.Is(context.TargetNode, context.TargetSymbol, type, context.Attributes[0].AttributeClass))
        {
            return null;
        }

        var compilation = context.SemanticModel.Compilation;
        var models = reuse.For(compilation, cancellationToken);
        var key = ModelReuse.KeyOf(type);
        if (key is not null && models.TryGet(key, out var known))
        {
            return known;
        }

        try
        {
            FailureHookForTests?.Invoke("parse:" + TypeNames.Render(type));
            reuse.CountBinding();
            var model = InterfaceBinder.BindModel(type, compilation, cancellationToken);
            if (key is not null)
            {
                models.Add(key, model);
            }

            return model;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // See Emit: one interface fails with RES0018, not the whole generator.
            return InterfaceModel.Failed(InterfaceBinder.HintNameOf(type), TypeNames.Render(type), Describe(exception));
        }
    }

    /// <summary>
    /// One model per interface (each has one representative; duplicates would be dropped all the same), ordered by hint
    /// name. Two interfaces whose decorators would share a name have none: the binder leaves them out (RES0019).
    /// </summary>
    private static EquatableArray<InterfaceModel> Distinct(params ImmutableArray<InterfaceModel?>[] groups)
    {
        var byHint = new SortedDictionary<string, InterfaceModel>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            foreach (var model in group)
            {
                if (model is not null && !byHint.ContainsKey(model.HintName))
                {
                    byHint.Add(model.HintName, model);
                }
            }
        }

        return byHint.Values.ToEquatableArray();
    }
}
