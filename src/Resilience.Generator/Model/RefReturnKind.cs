namespace Resilience.Generator.Model;

/// <summary>How a method or property returns.</summary>
internal enum RefReturnKind
{
    /// <summary>By value.</summary>
    None,

    /// <summary><c>ref</c>.</summary>
    Ref,

    /// <summary><c>ref readonly</c>.</summary>
    RefReadOnly,
}
