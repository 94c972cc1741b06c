using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>Turns an interface method into a <see cref="MethodModel"/>, with its strategy pipeline when one applies.</summary>
internal static class MethodBinder
{
    public static MethodModel Parse(IMethodSymbol method, INamedTypeSymbol declaring, string declaringName, bool isExplicit, bool isBase, BindingContext context)
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

        var classNames = new HashSet<string>(InterfaceBinder.AllTypeParameters(type).Select(t => t.Name), System.StringComparer.Ordinal);
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

    private static MethodModel ParseRenamed(IMethodSymbol method, INamedTypeSymbol declaring, string declaringName, bool isExplicit, bool isBase, BindingContext context)
    {
        var binding = context.ScopeOf(declaring).Find(method);
        var shape = binding?.Shape ?? MethodShape.Of(method, context.Symbols.Compilation);
        var resultType = shape.ResultType;

        var name = TypeNames.Escape(method.Name);
        var pipeline = binding is null ? null : BuildPipeline(binding, declaring, context);
        var coreName = pipeline is not null && NeedsCore(method, shape.ReturnShape) ? context.UniqueName("__Core_" + method.Name) : string.Empty;

        return new MethodModel(
            name,
            declaringName,
            isExplicit,
            isBase,
            TypeNames.Render(method.ReturnType),
            method.ReturnsByRefReadonly ? RefReturnKind.RefReadOnly : method.ReturnsByRef ? RefReturnKind.Ref : RefReturnKind.None,
            shape.ReturnShape,
            resultType is null ? null : TypeNames.Render(resultType),
            SignatureReader.TypeParameters(method.TypeParameters, SignatureReader.SignatureTypes(method)),
            SignatureReader.Parameters(method.Parameters, context.Symbols),
            AttributeRenderer.Render(method.GetAttributes()),
            AttributeRenderer.Render(method.GetReturnTypeAttributes()),
            coreName,
            pipeline,
            method.Parameters.Any(p => InterfaceBinder.IsPointer(p.Type)) || InterfaceBinder.IsPointer(method.ReturnType),
            resultType is not null && (resultType.IsRefLikeType || resultType.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer
                || (resultType is ITypeParameterSymbol typeParameter && TypeNames.AllowsRefLikeType(typeParameter))),
            ReturnsDecoratedType(method, context.Type));
    }

    /// <summary>
    /// Whether the method returns, by value, the decorated interface or one of its base interfaces: a type the decorator
    /// itself is, so a call that gets the inner instance back (a fluent method) can hand back the decorator.
    /// </summary>
    private static bool ReturnsDecoratedType(IMethodSymbol method, INamedTypeSymbol type)
        => !method.ReturnsByRef && !method.ReturnsByRefReadonly
            && method.ReturnType is INamedTypeSymbol { TypeKind: TypeKind.Interface } returned
            && (SymbolEqualityComparer.Default.Equals(returned, type) || type.AllInterfaces.Contains(returned, SymbolEqualityComparer.Default));

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

    /// <summary>
    /// The pipeline of the attributes that apply (<see cref="MethodBinding"/>), or <see langword="null"/> (plain
    /// delegation) when none applies or one cannot be emitted: an invalid attribute, a shape a strategy cannot wrap,
    /// a name that does not bind. Each of those is a problem <see cref="MethodProblems"/> describes.
    /// </summary>
    private static PipelineModel? BuildPipeline(MethodBinding binding, INamedTypeSymbol declaring, BindingContext context)
    {
        if (!binding.HasAny || !CanDecorate(binding, context.Symbols))
        {
            return null;
        }

        var builder = new PipelineBuilder(binding, declaring, context);
        return builder.Build();
    }

    /// <summary>Whether every attribute that applies is valid and can wrap the method's shape.</summary>
    private static bool CanDecorate(MethodBinding binding, KnownSymbols symbols)
    {
        var shape = binding.Shape;
        var method = binding.Symbol;

        // Task<T>/ValueTask<T> of a ref struct does not compile; the compiler reports it.
        if (shape.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: true } returnType && returnType.TypeArguments[0].IsRefLikeType)
        {
            return false;
        }

        var hasCache = false;
        foreach (var attribute in binding.Applied)
        {
            if (!attribute.IsValid || ShapeRules.GetProblem(method, shape, attribute.Kind, symbols) is not null)
            {
                return false;
            }

            if (attribute.Kind == AttributeKind.Hedge && !shape.IsAsync)
            {
                return false; // RES0030
            }

            hasCache |= attribute.Kind == AttributeKind.CacheFallback;
        }

        return !hasCache || shape.HasResult;
    }
}
