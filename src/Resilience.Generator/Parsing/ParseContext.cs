using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Model;

namespace Resilience.Generator.Parsing;

/// <summary>State shared while one interface is parsed: strategy fields, handlers, unique member names.</summary>
internal sealed class ParseContext
{
    private readonly Dictionary<string, StrategyFieldModel> _fieldsByKey = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, HandlerModel> _handlersByType = new(System.StringComparer.Ordinal);
    private readonly HashSet<string> _usedNames = new(System.StringComparer.Ordinal) { "__inner", "__registry" };
    private readonly HashSet<string> _parameterNames = new(System.StringComparer.Ordinal) { "inner", "registry" };
    private readonly Dictionary<INamedTypeSymbol, InterfaceDefaults> _defaults = new(SymbolEqualityComparer.Default);

    public ParseContext(INamedTypeSymbol type, string className, KnownTypes known, CancellationToken cancellationToken)
    {
        Type = type;
        ClassName = className;
        Known = known;
        CancellationToken = cancellationToken;
    }

    public INamedTypeSymbol Type { get; }

    public string ClassName { get; }

    public KnownTypes Known { get; }

    public CancellationToken CancellationToken { get; }

    public List<StrategyFieldModel> Fields { get; } = new();

    public List<HandlerModel> Handlers { get; } = new();

    /// <summary>Returns <paramref name="baseName"/>, or it with a numeric suffix, unique among the class's generated members.</summary>
    public string UniqueName(string baseName)
    {
        var name = baseName;
        for (var i = 2; !_usedNames.Add(name); i++)
        {
            name = baseName + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>The field for a strategy; one field per distinct kind, instance name, key type and options.</summary>
    public string Field(StrategyKind kind, string fieldBaseName, string instanceName, string? keyType, IReadOnlyList<string> options)
    {
        var key = string.Join("\u0001", new[] { kind.ToString(), instanceName, keyType ?? string.Empty }.Concat(options));
        if (_fieldsByKey.TryGetValue(key, out var existing))
        {
            return existing.FieldName;
        }

        var field = new StrategyFieldModel(kind, UniqueName(fieldBaseName), instanceName, keyType, new Helpers.EquatableArray<string>(options.ToArray()));
        _fieldsByKey.Add(key, field);
        Fields.Add(field);
        return field.FieldName;
    }

    /// <summary>
    /// The field holding an injected fallback handler of <paramref name="handlerType"/> (rendered), named after the
    /// type's simple name <paramref name="typeName"/>: <c>PriceEstimator</c> gives the constructor parameter
    /// <c>priceEstimator</c> and the field <c>__priceEstimator</c>.
    /// </summary>
    public string Handler(string handlerType, string typeName, bool isValueType, bool isPublic = true)
    {
        if (_handlersByType.TryGetValue(handlerType, out var existing))
        {
            return existing.FieldName;
        }

        var parameter = HandlerParameterName(typeName);
        var handler = new HandlerModel(handlerType, UniqueName("__" + parameter), TypeNames.Escape(parameter), isValueType, isPublic);
        _handlersByType.Add(handlerType, handler);
        Handlers.Add(handler);
        return handler.FieldName;
    }

    /// <summary>
    /// A constructor parameter name for a handler type, unescaped: the camelCase type name (<c>IPriceEstimator</c> and
    /// <c>PriceEstimator</c> give <c>priceEstimator</c>), with a numeric suffix when another handler, <c>inner</c> or
    /// <c>registry</c> has it.
    /// </summary>
    private string HandlerParameterName(string typeName)
    {
        var baseName = TypeNames.CamelCase(typeName);
        if (baseName.Length == 0)
        {
            baseName = "handler";
        }

        var name = baseName;
        for (var i = 2; !_parameterNames.Add(name); i++)
        {
            name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>The interface-level attributes and fallback targets of <paramref name="declaring"/>.</summary>
    public InterfaceDefaults DefaultsOf(INamedTypeSymbol declaring)
    {
        if (!_defaults.TryGetValue(declaring, out var defaults))
        {
            defaults = InterfaceDefaults.Read(declaring, Known);
            _defaults.Add(declaring, defaults);
        }

        return defaults;
    }
}
