using CsCheck;

namespace Resilience.Generator.Tests.Fuzz;

/// <summary>
/// A random interface as small integers: every field is an index into a pool of the renderer
/// (<see cref="FuzzRenderer"/>), which turns any combination into valid C#. Index 0 is always the simplest choice, so
/// that CsCheck's shrinking (towards smaller numbers and shorter arrays) ends at a small, readable source.
/// </summary>
internal sealed record FuzzCase(
    int Namespace,
    int Container,
    bool IsInternal,
    int Marker,
    bool IsUnsafe,
    FuzzTypeParameter[] TypeParameters,
    FuzzAttribute[] Attributes,
    FuzzMethod[] Methods,
    FuzzMember[] Members,
    FuzzMethod[] BaseMethods)
{
    /// <summary>The generator of random cases.</summary>
    public static readonly Gen<FuzzCase> Gen = CreateGen();

    private static Gen<FuzzCase> CreateGen()
    {
        // Names from 5 on (keywords, reserved names) and return shapes from 6 on (those few strategies can wrap) are
        // less frequent, so that most cases get a decorator.
        var typeParameter = CsCheck.Gen.Select(CsCheck.Gen.Frequency((8, CsCheck.Gen.Int[0, 4]), (1, CsCheck.Gen.Int[5, 12])), CsCheck.Gen.Int[0, 10], (name, constraint) => new FuzzTypeParameter(name, constraint));
        var attribute = CsCheck.Gen.Select(CsCheck.Gen.Int[0, 31], CsCheck.Gen.Int[0, 40].Array[0, 3], (kind, values) => new FuzzAttribute(kind, values));
        var parameter = CsCheck.Gen.Select(
            CsCheck.Gen.Int[0, 28],
            CsCheck.Gen.Frequency((8, CsCheck.Gen.Const(0)), (2, CsCheck.Gen.Int[1, 7])),
            CsCheck.Gen.Int[0, 40],
            CsCheck.Gen.Frequency((2, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 8])),
            (type, refKind, name, defaultValue) => new FuzzParameter(type, refKind, name, defaultValue));
        var method = CsCheck.Gen.Select(
            CsCheck.Gen.Frequency((6, CsCheck.Gen.Int[0, 5]), (1, CsCheck.Gen.Int[6, 13])),
            CsCheck.Gen.Int[0, 12],
            parameter.Array[0, 4],
            CsCheck.Gen.Frequency((3, typeParameter.Array[0, 0]), (1, typeParameter.Array[1, 2])),
            CsCheck.Gen.Frequency((2, attribute.Array[0, 0]), (3, attribute.Array[1, 2])),
            CsCheck.Gen.Int[0, 12],
            CsCheck.Gen.Frequency((8, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 3])),
            CsCheck.Gen.Frequency((8, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 5])),
            (returns, result, parameters, typeParameters, attributes, name, marker, access)
                => new FuzzMethod(returns, result, parameters, typeParameters, attributes, name, marker, access));
        var member = CsCheck.Gen.Select(CsCheck.Gen.Int[0, 9], CsCheck.Gen.Int[0, 5], CsCheck.Gen.Int[0, 12], (kind, marker, type) => new FuzzMember(kind, marker, type));

        return CsCheck.Gen.Select(
            CsCheck.Gen.Int[0, 4],
            CsCheck.Gen.Frequency((4, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 3])),
            CsCheck.Gen.Bool,
            CsCheck.Gen.Frequency((6, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 3])),
            CsCheck.Gen.Frequency((6, CsCheck.Gen.Const(false)), (1, CsCheck.Gen.Const(true))),
            CsCheck.Gen.Frequency((4, typeParameter.Array[0, 0]), (1, typeParameter.Array[1, 2])),
            CsCheck.Gen.Frequency((2, attribute.Array[0, 0]), (1, attribute.Array[1, 2])),
            method.Array[1, 4],
            CsCheck.Gen.Frequency((2, member.Array[0, 0]), (1, member.Array[1, 3])),
            CsCheck.Gen.Frequency((4, method.Array[0, 0]), (1, method.Array[1, 2])),
            (ns, container, isInternal, marker, isUnsafe, typeParameters, attributes, methods, members, baseMethods)
                => new FuzzCase(ns, container, isInternal, marker, isUnsafe, typeParameters, attributes, methods, members, baseMethods));
    }
}

/// <summary>A type parameter: a name from a pool (some look like keywords or generated locals) and a constraint.</summary>
internal sealed record FuzzTypeParameter(int Name, int Constraint);

/// <summary>
/// A resilience attribute: its kind (modulo 7; from 21 on, invalid settings are allowed too) and indexes into the
/// settings pool of that kind.
/// </summary>
internal sealed record FuzzAttribute(int Kind, int[] Values);

/// <summary>A parameter: type, ref kind, name and default value, each an index into a pool.</summary>
internal sealed record FuzzParameter(int Type, int RefKind, int Name, int Default);

/// <summary>An interface method.</summary>
internal sealed record FuzzMethod(
    int Returns,
    int Result,
    FuzzParameter[] Parameters,
    FuzzTypeParameter[] TypeParameters,
    FuzzAttribute[] Attributes,
    int Name,
    int Marker,
    int Access);

/// <summary>A property, indexer, event or non-method member.</summary>
internal sealed record FuzzMember(int Kind, int Marker, int Type);
