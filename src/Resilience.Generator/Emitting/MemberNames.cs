using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>
/// The names of one decorator's fields, chosen so that a reader stepping through the code sees what each holds:
/// <c>_inner</c>, <c>_registry</c>, <c>_usersDbBulkhead</c> (the instance named "users-db"),
/// <c>_getUserAsyncRetry</c>, <c>_priceEstimator</c> (a fallback handler), <c>_getUserAsyncTelemetry</c>.
/// </summary>
/// <remarks>
/// A field never takes the name of an interface type parameter, of a member the decorator declares, or of another
/// field: the second of two equal names gets a numeric suffix (<c>_getRetry2</c>). Generated locals start with two
/// underscores, fields with one, so the two never meet; a method whose parameter or type parameter starts with an
/// underscore reaches the fields through <c>this.</c> (see <see cref="Self"/>).
/// </remarks>
internal sealed class MemberNames
{
    private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fields = new(System.StringComparer.Ordinal);
    private readonly string[] _telemetry;

    public MemberNames(InterfaceModel model)
    {
        _taken.Add(model.ClassName);
        foreach (var typeParameter in model.TypeParameters)
        {
            _taken.Add(Unescaped(typeParameter.Name));
        }

        foreach (var method in model.Methods)
        {
            _taken.Add(Unescaped(method.Name));
            if (method.CoreName.Length > 0)
            {
                _taken.Add(method.CoreName);
            }

            if (method.Pipeline is { HedgedName.Length: > 0 } pipeline)
            {
                _taken.Add(pipeline.HedgedName);
            }
        }

        foreach (var property in model.Properties)
        {
            _taken.Add(Unescaped(property.Name));
        }

        foreach (var @event in model.Events)
        {
            _taken.Add(Unescaped(@event.Name));
        }

        Inner = Unique("_inner");
        Registry = Unique("_registry");
        foreach (var field in model.Fields)
        {
            _fields.Add(field.FieldName, Unique("_" + Camel(Words(field.InstanceName), Suffix(field.Kind))));
        }

        foreach (var handler in model.Handlers)
        {
            _fields.Add(handler.FieldName, Unique("_" + Camel(Unescaped(handler.ParameterName), string.Empty)));
        }

        _telemetry = new string[model.Methods.Count];
        for (var i = 0; i < model.Methods.Count; i++)
        {
            if (model.Methods[i].Pipeline is not null)
            {
                _telemetry[i] = Unique("_" + Camel(Unescaped(model.Methods[i].Name), "Telemetry"));
            }
        }
    }

    /// <summary>The field holding the inner instance.</summary>
    public string Inner { get; }

    /// <summary>The field holding the registry.</summary>
    public string Registry { get; }

    /// <summary>The field of a strategy or handler, by the model's name for it.</summary>
    public string Field(string modelName) => _fields[modelName];

    /// <summary>The <c>CallTelemetry</c> field of the method at <paramref name="index"/> (decorated methods only).</summary>
    public string Telemetry(int index) => _telemetry[index];

    /// <summary>"this." when a parameter or type parameter of the member could hide a field, else "".</summary>
    public static string Self(EquatableArray<ParameterModel> parameters, EquatableArray<TypeParameterModel> typeParameters = default)
        => parameters.Any(p => Unescaped(p.Name).StartsWith("_", System.StringComparison.Ordinal))
            || typeParameters.Any(t => Unescaped(t.Name).StartsWith("_", System.StringComparison.Ordinal))
            ? "this."
            : string.Empty;

    private string Unique(string baseName)
    {
        var name = baseName;
        for (var i = 2; !_taken.Add(name); i++)
        {
            name = baseName + i.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }

    private static string Unescaped(string name) => name.TrimStart('@');

    private static string Suffix(StrategyKind kind) => kind switch
    {
        StrategyKind.CacheFallback => "CacheFallback",
        StrategyKind.RateLimit or StrategyKind.KeyedRateLimit => "RateLimit",
        StrategyKind.Bulkhead => "Bulkhead",
        StrategyKind.Timeout => "Timeout",
        StrategyKind.CircuitBreaker or StrategyKind.KeyedCircuitBreaker => "CircuitBreaker",
        StrategyKind.Hedge => "Hedge",
        _ => "Retry",
    };

    /// <summary>
    /// The part of an instance name that says what it is: a default name (<c>Shop.IUsers.GetAsync(string)</c>,
    /// <c>Shop.IUsers</c>) gives its last segment without parameter list, type arguments or the <c>I</c> of an interface
    /// (<c>GetAsync</c>, <c>Users</c>); a name of the user's own (<c>users-db</c>) is kept whole.
    /// </summary>
    private static string Words(string instanceName)
    {
        var text = new StringBuilder();
        var depth = 0;
        foreach (var c in instanceName)
        {
            if (c == '(')
            {
                break;
            }

            if (c == '<')
            {
                depth++;
            }
            else if (c == '>')
            {
                depth--;
            }
            else if (depth == 0)
            {
                text.Append(c);
            }
        }

        var name = text.ToString();
        if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.'))
        {
            return name;
        }

        var last = name.Substring(name.LastIndexOf('.') + 1);
        return last.Length > 1 && last[0] == 'I' && char.IsUpper(last[1]) ? last.Substring(1) : last;
    }

    /// <summary>
    /// <paramref name="words"/> as one camelCase identifier (every run of letters and digits a word, the first starting
    /// lower case, the others upper case), followed by <paramref name="suffix"/> unless it already ends with it.
    /// </summary>
    private static string Camel(string words, string suffix)
    {
        var builder = new StringBuilder();
        var startOfWord = true;
        foreach (var c in words)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }

            builder.Append(startOfWord ? (builder.Length == 0 ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            startOfWord = false;
        }

        var name = builder.ToString();
        if (suffix.Length == 0)
        {
            return name;
        }

        if (name.Length == 0)
        {
            return char.ToLowerInvariant(suffix[0]) + suffix.Substring(1);
        }

        if (name.Length == suffix.Length && name.Equals(suffix, System.StringComparison.OrdinalIgnoreCase))
        {
            return name;
        }

        return name.EndsWith(suffix, System.StringComparison.OrdinalIgnoreCase)
            ? name.Substring(0, name.Length - suffix.Length) + suffix
            : name + suffix;
    }
}
