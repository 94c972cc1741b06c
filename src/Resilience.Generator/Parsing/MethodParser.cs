using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>Turns an interface method into a <see cref="MethodModel"/>, with its strategy pipeline when one applies.</summary>
internal static class MethodParser
{
    public static MethodModel Parse(IMethodSymbol method, INamedTypeSymbol declaring, string declaringName, bool isExplicit, bool isBase, ParseContext context)
    {
        using (TypeNames.RenameMethodTypeParameters(ClashingTypeParameters(method, context.Type)))
        {
            return ParseRenamed(method, declaring, declaringName, isExplicit, isBase, context);
        }
    }

    /// <summary>
    /// New names for the method's type parameters named like one of the decorator class's (a base interface's generic
    /// method in a generic interface: CS0693 in the decorator): the name with the first free number appended. An
    /// implementation may name its type parameters freely.
    /// </summary>
    private static Dictionary<string, string> ClashingTypeParameters(IMethodSymbol method, INamedTypeSymbol type)
    {
        var renamed = new Dictionary<string, string>(System.StringComparer.Ordinal);
        if (method.TypeParameters.IsEmpty)
        {
            return renamed;
        }

        var classNames = new HashSet<string>(InterfaceParser.AllTypeParameters(type).Select(t => t.Name), System.StringComparer.Ordinal);
        var taken = new HashSet<string>(classNames.Concat(method.TypeParameters.Select(t => t.Name)), System.StringComparer.Ordinal);
        foreach (var parameter in method.TypeParameters)
        {
            if (!classNames.Contains(parameter.Name))
            {
                continue;
            }

            var name = parameter.Name;
            for (var i = 1; !taken.Add(name); i++)
            {
                name = parameter.Name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            renamed.Add(parameter.Name, name);
        }

        return renamed;
    }

    private static MethodModel ParseRenamed(IMethodSymbol method, INamedTypeSymbol declaring, string declaringName, bool isExplicit, bool isBase, ParseContext context)
    {
        var known = context.Known;
        var shapeKind = FallbackResolver.ClassifyAwaitable(method.ReturnType, known.Compilation, out var awaited);
        var shape = shapeKind switch
        {
            FallbackReturnKind.Void => ReturnShape.Void,
            FallbackReturnKind.Task => ReturnShape.Task,
            FallbackReturnKind.TaskOfT => ReturnShape.TaskOfT,
            FallbackReturnKind.ValueTask => ReturnShape.ValueTask,
            FallbackReturnKind.ValueTaskOfT => ReturnShape.ValueTaskOfT,
            _ => ReturnShape.Value,
        };
        var resultType = shape switch
        {
            ReturnShape.Value => method.ReturnType,
            ReturnShape.TaskOfT or ReturnShape.ValueTaskOfT => awaited,
            _ => null,
        };

        var name = TypeNames.Escape(method.Name);
        var pipeline = BuildPipeline(method, declaring, shape, resultType, context);
        var coreName = pipeline is not null && NeedsCore(method, shape) ? context.UniqueName("__Core_" + method.Name) : string.Empty;

        return new MethodModel(
            name,
            declaringName,
            isExplicit,
            isBase,
            TypeNames.Render(method.ReturnType),
            method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : string.Empty,
            shape,
            resultType is null ? null : TypeNames.Render(resultType),
            SignatureReader.TypeParameters(method.TypeParameters, SignatureReader.SignatureTypes(method)),
            SignatureReader.Parameters(method.Parameters, known),
            AttributeRenderer.Render(method.GetAttributes()),
            AttributeRenderer.Render(method.GetReturnTypeAttributes()),
            coreName,
            pipeline,
            method.Parameters.Any(p => InterfaceParser.IsPointer(p.Type)) || InterfaceParser.IsPointer(method.ReturnType));
    }

    /// <summary>
    /// <c>Task</c> and <c>Task&lt;T&gt;</c> always use a core method (so a synchronous success returns the inner task and
    /// an unhandled failure a faulted task, without a throw); the value task shapes when a parameter is <c>in</c>.
    /// </summary>
    private static bool NeedsCore(IMethodSymbol method, ReturnShape shape) => shape switch
    {
        ReturnShape.Task or ReturnShape.TaskOfT => true,
        ReturnShape.ValueTask or ReturnShape.ValueTaskOfT
            => method.Parameters.Any(p => p.RefKind is RefKind.In or RefKind.RefReadOnlyParameter),
        _ => false,
    };

    private static PipelineModel? BuildPipeline(IMethodSymbol method, INamedTypeSymbol declaring, ReturnShape shape, ITypeSymbol? resultType, ParseContext context)
    {
        var defaults = context.DefaultsOf(declaring);
        var own = InterfaceDefaults.ReadAll(method, declaring, isInterfaceLevel: false, context.Known);
        var isAsync = shape is not (ReturnShape.Void or ReturnShape.Value);
        var applied = new Dictionary<AttributeKind, StrategySettings>(own);
        if (!defaults.IsFallbackTarget(method))
        {
            foreach (var pair in defaults.Settings)
            {
                // An interface-level default that cannot apply to this method's shape is skipped for it.
                if (!applied.ContainsKey(pair.Key) && ShapeRules.DefaultApplies(method, isAsync, resultType, pair.Key, context.Known.Rules))
                {
                    applied.Add(pair.Key, pair.Value);
                }
            }
        }

        if (applied.Count == 0 || applied.Values.Any(s => !s.IsValid) || !CanDecorate(method, isAsync, resultType, applied, context.Known))
        {
            return null;
        }

        var builder = new PipelineBuilder(method, declaring, resultType, context);
        return builder.Build(applied);
    }

    /// <summary>The shapes a strategy cannot wrap (<see cref="ShapeRules"/>; the analyzers explain them); such methods are plain delegation.</summary>
    private static bool CanDecorate(IMethodSymbol method, bool isAsync, ITypeSymbol? resultType, Dictionary<AttributeKind, StrategySettings> applied, KnownTypes known)
    {
        // Task<T>/ValueTask<T> of a ref struct does not compile; the compiler reports it.
        if (isAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: true } returnType && returnType.TypeArguments[0].IsRefLikeType)
        {
            return false;
        }

        foreach (var kind in applied.Keys)
        {
            if (ShapeRules.GetProblem(method, isAsync, resultType, kind, known.Rules) is not null)
            {
                return false;
            }
        }

        return !applied.ContainsKey(AttributeKind.CacheFallback) || resultType is not null;
    }
}
