using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>State shared while one interface is bound: the scopes of it and its base interfaces, strategy fields, handlers, unique member names.</summary>
internal sealed class BindingContext
{
    private readonly Dictionary<(StrategyKind, string, string?, StrategySpec), StrategyFieldModel> _fieldsByKey = new();
    private readonly Dictionary<string, HandlerModel> _handlersByType = new(System.StringComparer.Ordinal);
    private readonly HashSet<string> _usedNames = new(System.StringComparer.Ordinal) { "__inner", "__registry" };
    private readonly HashSet<string> _parameterNames = new(System.StringComparer.Ordinal) { "inner", "registry" };
    private readonly Dictionary<INamedTypeSymbol, InterfaceScope> _scopes = new(SymbolEqualityComparer.Default);

    public BindingContext(INamedTypeSymbol type, string className, KnownSymbols symbols, CancellationToken cancellationToken)
    {
        Type = type;
        ClassName = className;
        Symbols = symbols;
        CancellationToken = cancellationToken;
    }

    public INamedTypeSymbol Type { get; }

    public string ClassName { get; }

    public KnownSymbols Symbols { get; }

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

    /// <summary>The field for a strategy; one field per distinct kind, instance name, key type and settings.</summary>
    public string Field(StrategyKind kind, string fieldBaseName, string instanceName, string? keyType, StrategySpec spec)
    {
        var key = (kind, instanceName, keyType, spec);
        if (_fieldsByKey.TryGetValue(key, out var existing))
        {
            return existing.FieldName;
        }

        var field = new StrategyFieldModel(kind, UniqueName(fieldBaseName), instanceName, keyType, spec);
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

    /// <summary>What applies to the methods of <paramref name="declaring"/> (the interface or one of its bases), read once.</summary>
    public InterfaceScope ScopeOf(INamedTypeSymbol declaring)
    {
        if (!_scopes.TryGetValue(declaring, out var scope))
        {
            scope = InterfaceScope.Create(declaring, Symbols, CancellationToken);
            _scopes.Add(declaring, scope);
        }

        return scope;
    }
}
