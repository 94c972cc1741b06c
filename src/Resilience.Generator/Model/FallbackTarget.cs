namespace Resilience.Generator.Model;

/// <summary>Where the fallback is called.</summary>
internal enum FallbackTarget
{
    /// <summary>An instance method of the interface, called on the inner instance.</summary>
    InnerInstance,

    /// <summary>A static method of the interface or of the handler type.</summary>
    Static,

    /// <summary>An instance method of the handler type; the handler is injected through the constructor.</summary>
    HandlerInstance,
}
