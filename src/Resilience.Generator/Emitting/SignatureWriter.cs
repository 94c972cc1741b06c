using System.Collections.Generic;
using System.Linq;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>Writes member signatures, argument lists and receivers shared by the member emitters.</summary>
internal static class SignatureWriter
{
    public static string Modifier(ParameterRefKind kind) => kind switch
    {
        ParameterRefKind.In => "in ",
        ParameterRefKind.RefReadOnly => "ref readonly ",
        ParameterRefKind.Ref => "ref ",
        ParameterRefKind.Out => "out ",
        _ => string.Empty,
    };

    public static string ArgumentModifier(ParameterRefKind kind) => kind switch
    {
        ParameterRefKind.In or ParameterRefKind.RefReadOnly => "in ",
        ParameterRefKind.Ref => "ref ",
        ParameterRefKind.Out => "out ",
        _ => string.Empty,
    };

    /// <summary>
    /// The declared parameter list; default values only on implicit implementations. A default before a parameter
    /// without one (declared with <c>[Optional, DefaultParameterValue(…)]</c>, or read from metadata) cannot be written
    /// <c>= value</c> (CS1737): it is written as those attributes.
    /// </summary>
    public static string Parameters(EquatableArray<ParameterModel> parameters, bool isExplicit)
    {
        var lastRequired = -1;
        for (var i = 0; i < parameters.Count; i++)
        {
            // "= value" may not come before a parameter without one, [Optional] ones included (CS1737).
            if (parameters[i].DefaultValue is null or { Kind: ConstantKind.Missing } && !parameters[i].IsParams)
            {
                lastRequired = i;
            }
        }

        return string.Join(", ", parameters.Select((p, i) => Parameter(p, isExplicit, beforeRequired: i < lastRequired)));
    }

    private static string Parameter(ParameterModel parameter, bool isExplicit, bool beforeRequired)
    {
        var attributes = ConstantWriter.Prefix(parameter.Attributes);
        var scoped = parameter.IsScoped ? "scoped " : string.Empty;
        var @params = parameter.IsParams ? "params " : string.Empty;
        var defaultValue = string.Empty;
        if (!isExplicit && parameter.DefaultValue is { } value)
        {
            if (value.Kind == ConstantKind.DateTime)
            {
                attributes = ConstantWriter.DateTimeAttributes(value) + " " + attributes;
            }
            else if (beforeRequired || value.Kind == ConstantKind.Missing)
            {
                attributes = ConstantWriter.OptionalAttributes(value) + " " + attributes;
            }
            else
            {
                defaultValue = " = " + ConstantWriter.Render(value);
            }
        }

        return $"{attributes}{scoped}{@params}{Modifier(parameter.RefKind)}{parameter.Type} {parameter.Name}{defaultValue}";
    }

    /// <summary>
    /// The parameters of a private core method: by value, without defaults or modifiers, with the nullable
    /// preconditions <c>[AllowNull]</c> and <c>[DisallowNull]</c> and the trim annotation
    /// <c>[DynamicallyAccessedMembers]</c> kept (the core receives what the caller may pass and passes it on to an
    /// inner method that states the same).
    /// </summary>
    public static string CoreParameters(EquatableArray<ParameterModel> parameters)
        => string.Join(", ", parameters.Select(p => $"{Preconditions(p)}{p.Type} {p.Name}"));

    private static string Preconditions(ParameterModel parameter)
        => string.Concat(parameter.Attributes
            .Where(a => a.Type is "global::System.Diagnostics.CodeAnalysis.AllowNullAttribute"
                or "global::System.Diagnostics.CodeAnalysis.DisallowNullAttribute"
                or "global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembersAttribute")
            .Select(a => ConstantWriter.Attribute(a) + " "));

    /// <summary>Arguments forwarding every parameter with its modifier.</summary>
    public static string Arguments(EquatableArray<ParameterModel> parameters)
        => string.Join(", ", parameters.Select(Argument));

    /// <summary>
    /// One forwarded argument. A <c>dynamic</c> one passed by value is cast to <c>object</c>, so that the call binds
    /// statically (a dynamically dispatched call could not take <c>in</c> arguments or pointers, nor return by ref).
    /// </summary>
    public static string Argument(ParameterModel parameter)
        => parameter.RefKind == ParameterRefKind.None && parameter.Type == "dynamic"
            ? "(object)" + parameter.Name
            : ArgumentModifier(parameter.RefKind) + parameter.Name;

    /// <summary>Arguments by value (to a core method); a <c>dynamic</c> one cast to <c>object</c>, so that the call binds statically.</summary>
    public static string ValueArguments(EquatableArray<ParameterModel> parameters)
        => string.Join(", ", parameters.Select(p => p.Type == "dynamic" ? "(object)" + p.Name : p.Name));

    /// <summary>The type arguments of a call or reference: <c>&lt;T, U&gt;</c>, or "".</summary>
    public static string TypeParameterList(EquatableArray<TypeParameterModel> typeParameters)
        => typeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", typeParameters.Select(t => t.Name)) + ">";

    /// <summary>The type parameters of a declaration, each with its repeated attributes: <c>&lt;[A] T, U&gt;</c>, or "".</summary>
    public static string TypeParameterDeclarations(EquatableArray<TypeParameterModel> typeParameters)
        => typeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", typeParameters.Select(t => ConstantWriter.Prefix(t.Attributes) + t.Name)) + ">";

    /// <summary>The <c>where</c> clauses: full constraints, or those an explicit implementation may state.</summary>
    public static IEnumerable<string> Constraints(EquatableArray<TypeParameterModel> typeParameters, bool isExplicit)
    {
        foreach (var typeParameter in typeParameters)
        {
            var constraints = isExplicit ? Explicit(typeParameter.ExplicitConstraint) : Full(typeParameter.Constraints);
            if (constraints is not null)
            {
                yield return $"where {typeParameter.Name} : {constraints}";
            }
        }
    }

    private static string? Explicit(ExplicitConstraint constraint) => constraint switch
    {
        ExplicitConstraint.Class => "class",
        ExplicitConstraint.Struct => "struct",
        ExplicitConstraint.Default => "default",
        _ => null,
    };

    private static string? Full(ConstraintsModel? constraints)
    {
        if (constraints is null)
        {
            return null;
        }

        var parts = new List<string>();
        var primary = constraints.Primary switch
        {
            PrimaryConstraint.Class => "class",
            PrimaryConstraint.NullableClass => "class?",
            PrimaryConstraint.Struct => "struct",
            PrimaryConstraint.Unmanaged => "unmanaged",
            PrimaryConstraint.NotNull => "notnull",
            _ => null,
        };
        if (primary is not null)
        {
            parts.Add(primary);
        }

        parts.AddRange(constraints.Types);
        if (constraints.New)
        {
            parts.Add("new()");
        }

        if (constraints.AllowsRefStruct)
        {
            parts.Add("allows ref struct");
        }

        return string.Join(", ", parts);
    }

    /// <summary>The inner instance (<paramref name="inner"/>, the field with its <c>this.</c> if any) as the member's declaring interface.</summary>
    public static string Inner(string inner, string declaringInterface, bool isExplicit, bool isBaseMember)
        => isExplicit || isBaseMember ? $"(({declaringInterface}){inner})" : inner;

    /// <summary>The implemented member's name: <c>M</c>, or <c>global::N.I.M</c> when explicit.</summary>
    public static string MemberName(string name, string declaringInterface, bool isExplicit)
        => isExplicit ? declaringInterface + "." + name : name;

    /// <summary>The return's modifier: "", <c>ref </c> or <c>ref readonly </c>.</summary>
    public static string RefReturn(RefReturnKind kind) => kind switch
    {
        RefReturnKind.Ref => "ref ",
        RefReturnKind.RefReadOnly => "ref readonly ",
        _ => string.Empty,
    };

    public static string Accessibility(bool isExplicit) => isExplicit ? string.Empty : "public ";
}
