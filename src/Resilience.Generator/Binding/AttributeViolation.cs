namespace Resilience.Generator.Binding;

/// <summary>One setting of a resilience attribute that breaks a rule of <see cref="AttributeRules"/>.</summary>
internal readonly struct AttributeViolation
{
    public AttributeViolation(string setting, ViolationKind kind, int index, string value, string message)
    {
        Setting = setting;
        Kind = kind;
        Index = index;
        Value = value;
        Message = message;
    }

    /// <summary>The named argument (<c>MaxRetries</c>), or the constructor parameter (<c>timeoutMs</c>).</summary>
    public string Setting { get; }

    public ViolationKind Kind { get; }

    /// <summary>Whether the violation is an error (the generator does not apply the attribute); <see cref="ViolationKind.KeyedOnly"/> is only a warning.</summary>
    public bool IsError => Kind is not (ViolationKind.KeyedOnly or ViolationKind.BudgetUnused or ViolationKind.BudgetNotConfigurable);

    /// <summary>The array element for <see cref="ViolationKind.Element"/>, the ordinal for <see cref="ViolationKind.ConstructorArgument"/>, else -1.</summary>
    public int Index { get; }

    /// <summary>The bad value as shown to users (<c>-1</c>, <c>'string'</c>, a policy type's name).</summary>
    public string Value { get; }

    /// <summary>
    /// What is wrong and what to do: the whole message for RES0005 (<c>MaxRetries must be 0 or more; got -1</c>) and
    /// RES0017; for
    /// <see cref="ViolationKind.PolicyType"/> (RES0008) why the type cannot be created.
    /// </summary>
    public string Message { get; }
}
