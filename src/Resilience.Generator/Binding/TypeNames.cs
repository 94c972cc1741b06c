using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>Renders types, identifiers and constants the way the generated code writes them.</summary>
internal static class TypeNames
{
    /// <summary><c>global::</c>-qualified, keywords escaped, special types as keywords, nullable reference annotations kept.</summary>
    public static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Like <see cref="FullyQualified"/> without nullable annotations (for <c>typeof</c>, <c>new</c> and casts).</summary>
    public static readonly SymbolDisplayFormat FullyQualifiedNoNullable = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>Namespace-qualified without <c>global::</c> (for instance names): <c>N.Outer.IUserService</c>.</summary>
    public static readonly SymbolDisplayFormat QualifiedName = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    /// <summary>Short type names for overload lists in instance names: <c>string, int</c>.</summary>
    public static readonly SymbolDisplayFormat ShortName = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameOnly,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.ExpandNullable);

    public static string Render(ITypeSymbol type) => Display(type, FullyQualified);

    public static string RenderNoNullable(ITypeSymbol type) => Display(type, FullyQualifiedNoNullable);

    /// <summary>
    /// While a method is parsed: the new names of its type parameters that clash with the decorator class's own
    /// (CS0693), see <see cref="RenameMethodTypeParameters"/>. Parsing one method runs on one thread.
    /// </summary>
    [ThreadStatic]
    private static IReadOnlyDictionary<string, string>? s_methodTypeParameterNames;

    /// <summary>
    /// Until the result is disposed, <see cref="Render"/> and <see cref="RenderNoNullable"/> write a method type
    /// parameter named as a key of <paramref name="names"/> as its value.
    /// </summary>
    public static IDisposable RenameMethodTypeParameters(IReadOnlyDictionary<string, string> names)
    {
        var previous = s_methodTypeParameterNames;
        s_methodTypeParameterNames = names.Count == 0 ? null : names;
        return new Restore(previous);
    }

    /// <summary>The name a method type parameter is written with (<see cref="RenameMethodTypeParameters"/>).</summary>
    public static string MethodTypeParameterName(string name)
        => s_methodTypeParameterNames is { } names && names.TryGetValue(name, out var renamed) ? renamed : name;

    /// <summary>
    /// The display string with type parameter names that are contextual keywords escaped too (<c>@await</c>), which
    /// the display format leaves bare: inside an async method a bare <c>await</c> is the operator, not the type.
    /// Method type parameters are renamed as <see cref="RenameMethodTypeParameters"/> says. The parts are displayed
    /// once and joined here (what <c>ToDisplayString</c> does), not displayed again for the common case: every
    /// signature type of every interface is rendered on each run, so displaying twice cost about 3 % of a keystroke.
    /// </summary>
    private static string Display(ITypeSymbol type, SymbolDisplayFormat format)
    {
        var parts = type.ToDisplayParts(format);
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            var text = part.ToString();
            if (part.Kind == SymbolDisplayPartKind.TypeParameterName)
            {
                text = IsRenamed(part) ? MethodTypeParameterName(text) : text;
                text = IsContextualKeyword(text) ? "@" + text : text;
            }

            builder.Append(text);
        }

        return builder.ToString();
    }

    private static bool IsRenamed(SymbolDisplayPart part)
        => s_methodTypeParameterNames is { } names
            && part.Symbol is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method }
            && names.ContainsKey(part.ToString());

    private sealed class Restore : IDisposable
    {
        private readonly IReadOnlyDictionary<string, string>? _previous;

        public Restore(IReadOnlyDictionary<string, string>? previous) => _previous = previous;

        public void Dispose() => s_methodTypeParameterNames = _previous;
    }

    private static bool IsContextualKeyword(string identifier) => CSharpText.IsContextualKeyword(identifier);

    /// <summary><see cref="CSharpText.Escape"/>.</summary>
    public static string Escape(string identifier) => CSharpText.Escape(identifier);

    /// <summary>
    /// <paramref name="name"/> in camelCase: a leading run of capitals is lowered, except the last one when it starts
    /// the next word (<c>PriceEstimator</c> → <c>priceEstimator</c>, <c>HTTPClient</c> → <c>httpClient</c>,
    /// <c>IO</c> → <c>io</c>). Not escaped: see <see cref="Escape"/>.
    /// </summary>
    public static string CamelCase(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length && char.IsUpper(chars[i]); i++)
        {
            if (i > 0 && i + 1 < chars.Length && char.IsLower(chars[i + 1]))
            {
                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) => CSharpText.Literal(value);

    /// <summary>The namespace of <paramref name="type"/>, or "" for the global namespace.</summary>
    public static string NamespaceOf(INamedTypeSymbol type)
        => type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty;

    /// <summary>The fully qualified metadata name (<c>N.Outer+IRepo`1</c>), unique per type in a compilation.</summary>
    public static string MetadataName(INamedTypeSymbol type)
    {
        var builder = new StringBuilder(type.MetadataName);
        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            builder.Insert(0, containing.MetadataName + "+");
        }

        var ns = NamespaceOf(type);
        if (ns.Length > 0)
        {
            builder.Insert(0, ns + ".");
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="MetadataName"/> with every namespace part unescaped (<c>Shop.event.IClient</c> for
    /// <c>namespace Shop.@event</c>): a hint name may not contain <c>@</c>.
    /// </summary>
    public static string HintName(INamedTypeSymbol type)
    {
        var builder = new StringBuilder(type.MetadataName);
        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            builder.Insert(0, containing.MetadataName + "+");
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            builder.Insert(0, ns.MetadataName + ".");
        }

        return builder.ToString();
    }

    /// <summary><see cref="CSharpText.Double"/>.</summary>
    public static string Double(double value) => CSharpText.Double(value);

    /// <summary>
    /// <c>ITypeParameterSymbol.AllowsRefLikeType</c> (C# 13), read by reflection: the generator references Roslyn 4.8,
    /// which predates it, and runs in newer compilers that have it.
    /// </summary>
    private static readonly System.Reflection.PropertyInfo? AllowsRefLikeTypeProperty = typeof(ITypeParameterSymbol).GetProperty("AllowsRefLikeType");

    /// <summary>Whether <paramref name="parameter"/> is declared <c>allows ref struct</c>.</summary>
    public static bool AllowsRefLikeType(ITypeParameterSymbol parameter)
        => AllowsRefLikeTypeProperty?.GetValue(parameter) is true;

    /// <summary>
    /// Whether a value of <paramref name="type"/> may be a ref struct: a ref struct, or a type parameter that
    /// <c>allows ref struct</c> (it cannot be boxed, kept across an await, or be a type argument that does not allow it).
    /// </summary>
    public static bool IsRefLike(ITypeSymbol type)
        => type.IsRefLikeType || (type is ITypeParameterSymbol parameter && AllowsRefLikeType(parameter));

    /// <summary>A constant of <paramref name="type"/>, typed for the emitter.</summary>
    public static ConstantModel Constant(object? value, ITypeSymbol type)
    {
        var target = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : type;

        if (value is null)
        {
            return type.IsReferenceType || !ReferenceEquals(target, type) ? ConstantModel.Null : new ConstantModel(ConstantKind.Default);
        }

        if (target.TypeKind == TypeKind.Enum && target is INamedTypeSymbol enumType)
        {
            var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
            var typeName = RenderNoNullable(enumType);
            return member is not null
                ? new ConstantModel(ConstantKind.EnumMember, value, typeName, Escape(member.Name))
                : new ConstantModel(ConstantKind.EnumValue, value, typeName);
        }

        return new ConstantModel(ConstantKind.Primitive, value);
    }
}
