namespace Resilience.Generator.Model;

/// <summary>How the fallback's return value is turned into the decorated method's result.</summary>
internal enum FallbackReturnKind
{
    /// <summary>Returns nothing (<c>void</c>).</summary>
    Void,

    /// <summary>Returns the value itself: the method's return type for synchronous methods, <c>T</c> for <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c> methods.</summary>
    Value,

    /// <summary>Returns <c>Task</c>.</summary>
    Task,

    /// <summary>Returns <c>Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary>Returns <c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary>Returns <c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,
}
