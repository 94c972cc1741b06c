using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>Renders constants and repeated attributes, the typed values the binder read.</summary>
internal static class ConstantWriter
{
    /// <summary>The C# expression of <paramref name="constant"/> (a <see cref="ConstantKind.DateTime"/> has none: see <see cref="DateTimeAttributes"/>).</summary>
    public static string Render(ConstantModel constant) => constant.Kind switch
    {
        ConstantKind.Null => "null",
        ConstantKind.SuppressedNull => "null!",
        ConstantKind.Default => "default",
        ConstantKind.SuppressedDefault => "default!",
        ConstantKind.EnumMember => constant.TypeName + "." + constant.Member,
        ConstantKind.EnumValue => "(" + constant.TypeName + ")(" + Primitive(constant.Value!) + ")",
        ConstantKind.TypeOf => "typeof(" + constant.TypeName + ")",
        ConstantKind.Array => "new " + constant.TypeName + " { " + string.Join(", ", constant.Elements.Select(Render)) + " }",
        _ => Primitive(constant.Value!),
    };

    /// <summary>
    /// A <c>DateTime</c> default, which C# can state only as attributes written before the parameter:
    /// <c>[Optional, DateTimeConstant(ticks)]</c>.
    /// </summary>
    public static string DateTimeAttributes(ConstantModel constant)
        => "[global::System.Runtime.InteropServices.Optional, global::System.Runtime.CompilerServices.DateTimeConstant("
            + ((long)constant.Value!).ToString(CultureInfo.InvariantCulture) + "L)]";

    /// <summary>
    /// A default stated as attributes, for a parameter followed by one without a default: <c>[Optional]</c> with
    /// <c>DefaultParameterValue(value)</c>, or <c>DecimalConstant(…)</c> for a <c>decimal</c> (an attribute argument
    /// cannot be one), or alone for the type's default (<c>default</c> of a value type or a type parameter) and for a
    /// parameter declared <c>[Optional]</c> without a value.
    /// </summary>
    public static string OptionalAttributes(ConstantModel constant)
    {
        const string Optional = "global::System.Runtime.InteropServices.Optional";
        if (constant.Kind is ConstantKind.Default or ConstantKind.SuppressedDefault or ConstantKind.Missing)
        {
            return "[" + Optional + "]";
        }

        if (constant.Value is decimal value)
        {
            var bits = decimal.GetBits(value);
            var scale = (bits[3] >> 16) & 0xFF;
            var sign = bits[3] < 0 ? 128 : 0;
            return "[" + Optional + ", global::System.Runtime.CompilerServices.DecimalConstant("
                + string.Join(", ", new[] { scale, sign }.Select(b => b.ToString(CultureInfo.InvariantCulture))
                    .Concat(new[] { bits[2], bits[1], bits[0] }.Select(b => unchecked((uint)b).ToString(CultureInfo.InvariantCulture) + "U")))
                + ")]";
        }

        return "[" + Optional + ", global::System.Runtime.InteropServices.DefaultParameterValue("
            + (constant.Kind == ConstantKind.SuppressedNull ? "null" : Render(constant)) + ")]";
    }

    /// <summary>The attribute as written in source: <c>[Type(arguments, Name = value)]</c>, with an optional target (<c>return: </c>).</summary>
    public static string Attribute(AttributeModel attribute, string target = "")
    {
        var arguments = attribute.Arguments.Select(Render)
            .Concat(attribute.NamedArguments.Select(a => a.Name + " = " + Render(a.Value)))
            .ToList();
        return arguments.Count == 0
            ? "[" + target + attribute.Type + "]"
            : "[" + target + attribute.Type + "(" + string.Join(", ", arguments) + ")]";
    }

    /// <summary>The attributes on one line, each followed by a space; "" when there are none.</summary>
    public static string Prefix(EquatableArray<AttributeModel> attributes)
        => attributes.IsEmpty ? string.Empty : string.Concat(attributes.Select(a => Attribute(a))) + " ";

    private static string Primitive(object value) => value switch
    {
        string s => CSharpText.Literal(s),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        bool b => b ? "true" : "false",
        float f => float.IsNaN(f) ? "float.NaN"
            : float.IsPositiveInfinity(f) ? "float.PositiveInfinity"
            : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
            : f.ToString("R", CultureInfo.InvariantCulture) + "F",
        double d => double.IsNaN(d) || double.IsInfinity(d) ? CSharpText.Double(d) : d.ToString("R", CultureInfo.InvariantCulture) + "D",
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
        uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
        System.IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "default",
    };
}
