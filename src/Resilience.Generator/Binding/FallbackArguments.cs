using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>The arguments of a <c>[Fallback]</c>: <c>(methodName)</c> or <c>(handlerType, methodName)</c>.</summary>
internal readonly struct FallbackArguments
{
    private FallbackArguments(string? methodName, bool hasHandler, ITypeSymbol? handlerType)
    {
        MethodName = methodName;
        HasHandler = hasHandler;
        HandlerType = handlerType;
    }

    /// <summary>The method name, or <see langword="null"/> when given as <see langword="null"/>.</summary>
    public string? MethodName { get; }

    /// <summary>Whether the two-argument constructor was used.</summary>
    public bool HasHandler { get; }

    /// <summary>The handler type, or <see langword="null"/> when none (or <c>null</c>) was given.</summary>
    public ITypeSymbol? HandlerType { get; }

    /// <summary>Reads the arguments; <see langword="false"/> when they did not bind (the compiler reports that).</summary>
    public static bool TryRead(AttributeData attribute, out FallbackArguments arguments)
    {
        arguments = default;
        if (attribute.AttributeConstructor is null
            || !AttributeValues.TryGetConstructorArgument(attribute, "methodName", out var name))
        {
            return false;
        }

        if (attribute.AttributeConstructor.Parameters.Length == 2)
        {
            if (!AttributeValues.TryGetConstructorArgument(attribute, "handlerType", out var handler))
            {
                return false;
            }

            var handlerType = handler.Value as ITypeSymbol;
            if (handlerType is { TypeKind: TypeKind.Error })
            {
                return false;
            }

            arguments = new FallbackArguments(name.Value as string, hasHandler: true, handlerType);
            return true;
        }

        arguments = new FallbackArguments(name.Value as string, hasHandler: false, handlerType: null);
        return true;
    }
}
