using System.Linq;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>Writes members that forward to the inner instance: undecorated methods, properties, indexers and events.</summary>
internal static class MemberEmitter
{
    public static void WriteAttributes(SourceWriter writer, EquatableArray<AttributeModel> attributes, string target = "")
    {
        foreach (var attribute in attributes)
        {
            writer.Line(ConstantWriter.Attribute(attribute, target));
        }
    }

    /// <summary>The method's declaration line (without body).</summary>
    public static string MethodHeader(MethodModel method, bool isAsync)
    {
        var modifiers = SignatureWriter.Accessibility(method.IsExplicit) + (method.IsUnsafe ? "unsafe " : string.Empty) + (isAsync ? "async " : string.Empty);
        var name = SignatureWriter.MemberName(method.Name, method.DeclaringInterface, method.IsExplicit);
        return $"{modifiers}{SignatureWriter.RefReturn(method.RefReturn)}{method.ReturnType} {name}{SignatureWriter.TypeParameterDeclarations(method.TypeParameters)}({SignatureWriter.Parameters(method.Parameters, method.IsExplicit)})";
    }

    public static void WriteMethodPreamble(SourceWriter writer, MethodModel method)
    {
        writer.Line("/// <inheritdoc />");
        WriteAttributes(writer, method.Attributes);
        WriteAttributes(writer, method.ReturnAttributes, "return: ");
    }

    public static void WriteDelegatingMethod(SourceWriter writer, MethodModel method, MemberNames names)
    {
        WriteMethodPreamble(writer, method);
        writer.Line(MethodHeader(method, isAsync: false));
        writer.IndentedLines(SignatureWriter.Constraints(method.TypeParameters, method.IsExplicit));
        var innerField = MemberNames.Self(method.Parameters, method.TypeParameters) + names.Inner;
        var call = $"{SignatureWriter.Inner(innerField, method.DeclaringInterface, method.IsExplicit, method.IsBaseMember)}.{method.Name}{SignatureWriter.TypeParameterList(method.TypeParameters)}({SignatureWriter.Arguments(method.Parameters)})";
        if (method.ReturnsDecoratedType)
        {
            // A fluent method that returns the inner instance hands back the decorator, so a chain stays decorated.
            writer.IndentedLines(new[] { $"=> global::Resilience.GeneratedCodeHelpers.DecoratorIfInner({call}, {innerField}, this);" });
            return;
        }

        writer.IndentedLines(new[] { "=> " + (method.RefReturn != RefReturnKind.None ? "ref " : string.Empty) + call + ";" });
    }

    public static void WriteProperty(SourceWriter writer, PropertyModel property, MemberNames names)
    {
        writer.Line("/// <inheritdoc />");
        WriteAttributes(writer, property.Attributes);
        var name = SignatureWriter.MemberName(property.Name, property.DeclaringInterface, property.IsExplicit);
        var parameters = property.Parameters.IsEmpty ? string.Empty : "[" + SignatureWriter.Parameters(property.Parameters, property.IsExplicit) + "]";
        var self = MemberNames.Self(property.Parameters);
        var inner = SignatureWriter.Inner(self + names.Inner, property.DeclaringInterface, property.IsExplicit, property.IsBaseMember);
        var access = property.Parameters.IsEmpty
            ? inner + "." + property.Name
            : inner + "[" + SignatureWriter.Arguments(property.Parameters) + "]";

        writer.Line($"{SignatureWriter.Accessibility(property.IsExplicit)}{SignatureWriter.RefReturn(property.RefReturn)}{property.Type} {name}{parameters}");
        if (property.RefReturn != RefReturnKind.None)
        {
            writer.IndentedLines(new[] { property.GetterAttributes.IsEmpty ? "=> ref " + access + ";" : "{ " + Prefix(property.GetterAttributes) + "get => ref " + access + "; }" });
            return;
        }

        writer.OpenBrace();
        if (property.HasGetter)
        {
            writer.Line(Prefix(property.GetterAttributes) + "get => " + access + ";");
        }

        if (property.HasSetter)
        {
            writer.Line(Prefix(property.SetterAttributes) + (property.IsInitOnly
                ? "init => throw new global::System.NotSupportedException(" + CSharpText.Literal($"The init-only property '{property.Name}' cannot be forwarded to the inner instance; set it on the inner instance.") + ");"
                : "set => " + access + " = value;"));
        }

        writer.CloseBrace();
    }

    private static string Prefix(EquatableArray<AttributeModel> attributes) => ConstantWriter.Prefix(attributes);

    public static void WriteEvent(SourceWriter writer, EventModel @event, MemberNames names)
    {
        writer.Line("/// <inheritdoc />");
        WriteAttributes(writer, @event.Attributes);
        var name = SignatureWriter.MemberName(@event.Name, @event.DeclaringInterface, @event.IsExplicit);
        var inner = SignatureWriter.Inner(names.Inner, @event.DeclaringInterface, @event.IsExplicit, @event.IsBaseMember);
        writer.Line($"{SignatureWriter.Accessibility(@event.IsExplicit)}event {@event.Type} {name}");
        writer.OpenBrace();
        writer.Line($"add => {inner}.{@event.Name} += value;");
        writer.Line($"remove => {inner}.{@event.Name} -= value;");
        writer.CloseBrace();
    }
}
