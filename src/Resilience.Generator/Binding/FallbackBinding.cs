using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>Binds the <c>[Fallback]</c> that applies to a method: one resolution for the pipeline and the problems.</summary>
internal static class FallbackBinding
{
    /// <summary>
    /// The resolution of <paramref name="attribute"/> for <paramref name="method"/> by the fallback binding rule
    /// (<see cref="FallbackResolver"/>), or <see langword="null"/> when its arguments did not bind or its handler type
    /// is not a type that can declare a method (<c>null</c>, an array, a pointer).
    /// </summary>
    public static FallbackResolution? Resolve(MethodBinding method, BoundAttribute attribute, KnownSymbols symbols)
    {
        if (attribute.Fallback is not { } arguments || (arguments.HasHandler && arguments.HandlerType is not INamedTypeSymbol))
        {
            return null;
        }

        return FallbackResolver.Resolve(
            method.Symbol,
            attribute.DeclaringInterface,
            arguments.HandlerType as INamedTypeSymbol,
            arguments.MethodName ?? string.Empty,
            symbols.Compilation);
    }
}
