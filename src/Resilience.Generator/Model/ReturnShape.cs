namespace Resilience.Generator.Model;

/// <summary>The return shape of a method, which decides how its decorated body is written.</summary>
internal enum ReturnShape
{
    /// <summary><c>void</c>.</summary>
    Void,

    /// <summary>A synchronous value.</summary>
    Value,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,
}
