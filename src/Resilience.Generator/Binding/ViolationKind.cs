namespace Resilience.Generator.Binding;

/// <summary>What an <see cref="AttributeViolation"/> is about, which decides its diagnostic and where it goes.</summary>
internal enum ViolationKind
{
    /// <summary>A named argument's value is out of range (RES0005 on that argument).</summary>
    Value,

    /// <summary>An element of a named array argument is wrong (RES0005 on that element).</summary>
    Element,

    /// <summary>A constructor argument's value is out of range (RES0005 on that argument).</summary>
    ConstructorArgument,

    /// <summary>A policy type cannot be created (RES0008 on that argument).</summary>
    PolicyType,

    /// <summary>
    /// A setting that only a keyed instance uses is set on an attribute without <c>KeyParameter</c> (the warning
    /// RES0017 on that argument). The attribute still applies; the setting has no effect.
    /// </summary>
    KeyedOnly,

    /// <summary><c>HandleException</c> names no method of the interface (RES0027 on that argument).</summary>
    HandleExceptionNotFound,

    /// <summary><c>HandleException</c> names only methods that are not static, or static abstract (RES0028 on that argument).</summary>
    HandleExceptionNotStatic,

    /// <summary><c>HandleException</c> names static methods, none <c>bool M(Exception)</c> (RES0029 on that argument).</summary>
    HandleExceptionSignature,

    /// <summary><c>Budget</c> is blank (RES0033, an error).</summary>
    BudgetName,

    /// <summary><c>Budget</c> on a retry with <c>MaxRetries = 0</c> (RES0034, a warning).</summary>
    BudgetUnused,

    /// <summary><c>Budget</c> names a budget configuration cannot reach (RES0035, a warning).</summary>
    BudgetNotConfigurable,
}
