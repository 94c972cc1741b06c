namespace Resilience.Generator.Model;

/// <summary>How a parameter is passed.</summary>
internal enum ParameterRefKind
{
    /// <summary>By value.</summary>
    None,

    /// <summary><c>in</c>.</summary>
    In,

    /// <summary><c>ref readonly</c>.</summary>
    RefReadOnly,

    /// <summary><c>ref</c>.</summary>
    Ref,

    /// <summary><c>out</c>.</summary>
    Out,
}
