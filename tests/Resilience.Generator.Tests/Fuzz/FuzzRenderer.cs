using System.Text;

namespace Resilience.Generator.Tests.Fuzz;

/// <summary>
/// Renders a <see cref="FuzzCase"/> as C# that compiles (before the generator runs) for every combination of
/// indexes: each pool choice that would be invalid at its position is replaced by a valid one. Whatever the case,
/// the user code is correct C#; whether the resilience attributes are valid is left to the analyzers.
/// </summary>
internal sealed class FuzzRenderer
{
    private static readonly string[] Namespaces = { string.Empty, "Fz", "Shop.@event", "A.B.C", "@class.@async" };

    /// <summary>Parameter names: plain ones first, then contextual keywords and names like the generator's own locals and fields.</summary>
    private static readonly string[] ParameterNames =
    {
        "id", "name", "count", "cancellationToken", "ct", "items", "key", "options", "await", "value", "result", "error",
        "__inner", "attempt", "lease", "timeout", "__error", "__result", "__call", "__telemetry0", "__registry", "__key",
        "__attempt", "__lease", "__timeout", "__task", "__vt", "inner", "registry", "async", "var", "dynamic", "nameof",
        "@event", "@class", "args", "select", "where", "scoped", "@this", "__ex", "_inner", "_registry", "_runTelemetry",
    };

    private static readonly string[] TypeParameterNames =
    {
        "T", "TItem", "TResult", "TKey", "TValue", "await", "__inner", "value", "TError", "TAttempt", "result", "__error", "var",
        "_inner", "_registry", "_getTelemetry",
    };

    private static readonly string[] MethodNames =
    {
        "Run", "Get", "GetAsync", "Save", "TryGet", "Await", "Value", "__Core_Run", "Inner", "Dispose", "Result", "Error", "Equals",
        "_inner", "_registry", "_runTelemetry", "_getRetry",
    };

    /// <summary>
    /// Interfaces nested in generic types (<c>Api&lt;TModel&gt;.IClient</c>) are rendered by default;
    /// <c>RES_FUZZ_GENERIC_CONTAINERS=0</c> renders their containers non-generic, to tell a failure there from others.
    /// </summary>
    private static readonly bool IncludeGenericContainers = Environment.GetEnvironmentVariable("RES_FUZZ_GENERIC_CONTAINERS") != "0";

    private readonly FuzzCase _case;
    private readonly StringBuilder _text = new();
    private StringBuilder _extra = new();
    private readonly StringBuilder _handlers = new();
    private int _predicates;
    private int _fallbacks;

    private FuzzRenderer(FuzzCase fuzzCase) => _case = fuzzCase;

    /// <summary>Whether the rendered source needs C# 13 (params collections, <c>allows ref struct</c>).</summary>
    public bool NeedsCSharp13 { get; private set; }

    public static (string Source, bool NeedsCSharp13) Render(FuzzCase fuzzCase)
    {
        var renderer = new FuzzRenderer(fuzzCase);
        var source = renderer.Render();
        return (source, renderer.NeedsCSharp13);
    }

    private string Render()
    {
        _text.AppendLine("using System;");
        _text.AppendLine("using System.Collections.Generic;");
        _text.AppendLine("using System.Diagnostics.CodeAnalysis;");
        _text.AppendLine("using System.Runtime.CompilerServices;");
        _text.AppendLine("using System.Runtime.InteropServices;");
        _text.AppendLine("using System.Threading;");
        _text.AppendLine("using System.Threading.Tasks;");
        _text.AppendLine("using Resilience;");
        var ns = Namespaces[_case.Namespace % Namespaces.Length];
        if (ns.Length > 0)
        {
            _text.AppendLine($"namespace {ns};");
        }

        _text.AppendLine("public enum Color { Red, Green = 2, Blue = 4 }");
        _text.AppendLine("public sealed class NotAPolicy { }");

        var visibility = _case.IsInternal ? "internal" : "public";
        var interfaceTypeParameters = TypeParameters(_case.TypeParameters, used: new HashSet<string>(), allowRefStruct: false);
        var baseList = string.Empty;
        if (_case.BaseMethods.Length > 0)
        {
            var baseBody = new StringBuilder();
            var names = new HashSet<string>();
            var mainExtra = _extra;
            _extra = baseBody;
            for (var i = 0; i < _case.BaseMethods.Length; i++)
            {
                WriteMethod(baseBody, _case.BaseMethods[i], "B" + i, names, new List<string>(), isBase: true);
            }

            _extra = mainExtra;

            _text.AppendLine($"{visibility} {(_case.IsUnsafe ? "unsafe " : string.Empty)}interface IFuzzBase");
            _text.AppendLine("{");
            _text.Append(baseBody);
            _text.AppendLine("}");
            baseList = " : IFuzzBase";
        }

        var (open, close) = _case.Container switch
        {
            1 => ("public static class Outer\n{", "}"),
            2 when IncludeGenericContainers => ("public class Outer<TOuter>\n{", "}"),
            2 => ("public static class Outer\n{", "}"),
            3 => ("public partial class Outer\n{", "}"),
            _ => (string.Empty, string.Empty),
        };

        var body = new StringBuilder();
        var memberNames = new HashSet<string>();
        for (var i = 0; i < _case.Methods.Length; i++)
        {
            WriteMethod(body, _case.Methods[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture), memberNames, interfaceTypeParameters.Names, isBase: false);
        }

        for (var i = 0; i < _case.Members.Length; i++)
        {
            WriteMember(body, _case.Members[i], i, memberNames);
        }

        if (open.Length > 0)
        {
            _text.AppendLine(open);
        }

        foreach (var attribute in _case.Attributes.DistinctBy(a => a.Kind % 8))
        {
            var rendered = RenderAttribute(attribute, method: null);
            if (rendered is not null)
            {
                _text.AppendLine(rendered);
            }
        }

        var marker = Marker(_case.Marker);
        if (marker.Length > 0)
        {
            _text.AppendLine(marker);
        }

        var unsafeModifier = _case.IsUnsafe ? "unsafe " : string.Empty;
        _text.AppendLine($"{visibility} {unsafeModifier}partial interface IFuzz{interfaceTypeParameters.List}{baseList}{interfaceTypeParameters.Constraints}");
        _text.AppendLine("{");
        _text.Append(body);
        _text.Append(_extra);
        _text.AppendLine("}");
        if (close.Length > 0)
        {
            _text.AppendLine(close);
        }

        _text.Append(_handlers);
        return _text.ToString();
    }

    private static string Marker(int marker) => marker switch
    {
        1 => "[Obsolete(\"old\")]",
        2 => "[Obsolete(\"gone\", error: true)]",
        3 => "[Experimental(\"FUZZ001\")]",
        _ => string.Empty,
    };

    private (string List, string Constraints, List<string> Names, Dictionary<string, int> Kinds) TypeParameters(
        FuzzTypeParameter[] typeParameters, HashSet<string> used, bool allowRefStruct)
    {
        var names = new List<string>();
        var kinds = new Dictionary<string, int>();
        var constraints = new StringBuilder();
        foreach (var typeParameter in typeParameters)
        {
            var name = TypeParameterNames[typeParameter.Name % TypeParameterNames.Length];
            if (!used.Add(name))
            {
                continue;
            }

            names.Add(name);
            var kind = typeParameter.Constraint % 11;
            if (kind == 8 && !allowRefStruct)
            {
                kind = 0;
            }

            kinds[name] = kind;
            var clause = kind switch
            {
                1 => "class",
                2 => "class?",
                3 => "struct",
                4 => "unmanaged",
                5 => "notnull",
                6 => "new()",
                7 => $"IComparable<{name}>",
                8 => "allows ref struct",
                9 => "class, new()",
                10 => "struct, IEquatable<" + name + ">",
                _ => null,
            };
            if (kind == 8)
            {
                NeedsCSharp13 = true;
            }

            if (clause is not null)
            {
                constraints.Append($" where {name} : {clause}");
            }
        }

        return (names.Count == 0 ? string.Empty : "<" + string.Join(", ", names) + ">", constraints.ToString(), names, kinds);
    }

    private sealed class MethodContext
    {
        public List<string> TypeParameters { get; } = new();

        public Dictionary<string, int> Kinds { get; } = new();

        public List<(string Type, string Name, int RefKind, bool IsRefLike, bool IsParams)> Parameters { get; } = new();

        public string? ResultType { get; set; }

        public bool IsAsync { get; set; }
    }

    private void WriteMethod(StringBuilder body, FuzzMethod method, string suffix, HashSet<string> memberNames, List<string> interfaceTypeParameters, bool isBase)
    {
        var context = new MethodContext();
        var usedNames = new HashSet<string>(interfaceTypeParameters);
        var returnKind = method.Returns % 14;
        var isAsyncShape = returnKind is 0 or 1 or 2 or 3 or 6 or 10;
        var typeParameters = TypeParameters(method.TypeParameters, usedNames, allowRefStruct: !isAsyncShape && returnKind != 11);
        context.TypeParameters.AddRange(interfaceTypeParameters);
        context.TypeParameters.AddRange(typeParameters.Names);
        foreach (var pair in typeParameters.Kinds)
        {
            context.Kinds[pair.Key] = pair.Value;
        }

        var name = MethodNames[method.Name % MethodNames.Length] + suffix;
        memberNames.Add(name);
        var resultType = ResultType(method.Result, context);
        if (isBase && resultType == "object")
        {
            resultType = "IFuzzBase"; // a type the decorator is: the inner instance as a result becomes the decorator
        }

        var returnType = returnKind switch
        {
            0 => "Task",
            1 => $"Task<{resultType}>",
            2 => "ValueTask",
            3 => $"ValueTask<{resultType}>",
            4 => "void",
            5 => resultType,
            6 => "IAsyncEnumerable<int>",
            7 => "ref int",
            8 => "ref readonly int",
            9 => "ReadOnlySpan<int>",
            10 => $"Task<{FirstTypeParameter(context) ?? "int"}>",
            11 => FirstTypeParameter(context) ?? "long",
            12 => "bool",
            _ => "Span<byte>",
        };
        context.ResultType = returnKind switch
        {
            1 or 3 or 5 => resultType,
            10 => FirstTypeParameter(context) ?? "int",
            11 => FirstTypeParameter(context) ?? "long",
            12 => "bool",
            _ => null,
        };
        context.IsAsync = isAsyncShape;

        var rendered = new List<(string Text, string? Default, bool IsParams)>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var isLast = i == method.Parameters.Length - 1;
            var one = Parameter(method.Parameters[i], i, isLast, context, usedNames);
            if (one is { } value)
            {
                rendered.Add(value);
            }
        }

        // Optional parameters only as a trailing run (a params array may follow them).
        var parameters = new List<string>();
        var optional = true;
        for (var i = rendered.Count - 1; i >= 0; i--)
        {
            var (text, defaultValue, isParams) = rendered[i];
            if (isParams)
            {
                parameters.Insert(0, text);
                continue;
            }

            optional &= defaultValue is not null;
            parameters.Insert(0, !optional || defaultValue is null ? text
                : defaultValue.StartsWith("[", StringComparison.Ordinal) ? defaultValue + " " + text
                : text + " = " + defaultValue);

            // An [Optional] parameter counts as required for the parameters before it (CS1737).
            optional &= defaultValue is null || !defaultValue.StartsWith("[", StringComparison.Ordinal);
        }

        var attributes = new List<string>();
        foreach (var attribute in method.Attributes.DistinctBy(a => a.Kind % 8))
        {
            var renderedAttribute = RenderAttribute(attribute, context);
            if (renderedAttribute is not null)
            {
                attributes.Add(renderedAttribute);
            }
        }

        var marker = Marker(method.Marker);
        if (marker.Length > 0)
        {
            attributes.Add(marker);
        }

        var access = isBase ? 0 : method.Access;
        var (modifier, bodyText) = access switch
        {
            1 => ("protected ", ";"),
            2 => ("internal ", ";"),
            3 => (string.Empty, " => throw new NotSupportedException();"),
            4 => ("private ", " => throw new NotSupportedException();"),
            5 => ("static ", " => throw new NotSupportedException();"),
            _ => (string.Empty, ";"),
        };

        foreach (var attribute in attributes)
        {
            body.AppendLine("    " + attribute);
        }

        body.AppendLine($"    {modifier}{returnType} {name}{typeParameters.List}({string.Join(", ", parameters)}){typeParameters.Constraints}{bodyText}");
    }

    private static string? FirstTypeParameter(MethodContext context)
        => context.TypeParameters.FirstOrDefault(t => !context.Kinds.TryGetValue(t, out var kind) || kind != 8);

    private static string ResultType(int index, MethodContext context) => (index % 13) switch
    {
        0 => "int",
        1 => "string",
        2 => "string?",
        3 => "List<int>",
        4 => "int?",
        5 => "Color",
        6 => "(int Count, string Name)",
        7 => "object",
        8 => FirstTypeParameter(context) ?? "decimal",
        9 => "byte[]",
        10 => "Dictionary<string, int?>",
        11 => "bool",
        _ => "DateTime",
    };

    private (string Text, string? Default, bool IsParams)? Parameter(FuzzParameter parameter, int index, bool isLast, MethodContext context, HashSet<string> usedNames)
    {
        var name = ParameterNames[parameter.Name % ParameterNames.Length];
        if (!usedNames.Add(name))
        {
            name = "p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!usedNames.Add(name))
            {
                return null;
            }
        }

        var typeIndex = parameter.Type % 29;
        var refKind = parameter.RefKind % 8;
        string type;
        bool isRefLike = false;
        switch (typeIndex)
        {
            case 0: type = "int"; break;
            case 1: type = "string"; break;
            case 2: type = "string?"; break;
            case 3: type = "CancellationToken"; break;
            case 4: type = "long"; break;
            case 5: type = "double"; break;
            case 6: type = "bool"; break;
            case 7: type = "decimal"; break;
            case 8: type = "DateTime"; break;
            case 9: type = "Color"; break;
            case 10: type = "int?"; break;
            case 11: type = "object?"; break;
            case 12: type = "List<string>"; break;
            case 13: type = "int[]"; break;
            case 14: type = FirstTypeParameter(context) ?? "Guid"; break;
            case 15: type = "dynamic"; break;
            case 16: type = "ReadOnlySpan<int>"; isRefLike = true; break;
            case 17: type = "Span<byte>"; isRefLike = true; break;
            case 18: type = _case.IsUnsafe ? "int*" : "nint"; break;
            case 19: type = "char"; break;
            case 20: type = "float"; break;
            case 21: type = "Guid"; break;
            case 22: type = "(string, int)"; break;
            case 23: type = "Func<int, int>?"; break;
            case 24: type = "Color?"; break;
            case 25: type = "uint"; break;
            case 26: type = "byte"; break;
            case 27:
                var refStructParameter = context.TypeParameters.FirstOrDefault(t => context.Kinds.TryGetValue(t, out var kind) && kind == 8);
                type = refStructParameter ?? "ulong";
                isRefLike = refStructParameter is not null;
                break;
            default: type = "short"; break;
        }

        // 0 none, 1 in, 2 ref, 3 out, 4 ref readonly, 5 scoped, 6 params, 7 scoped ref
        if (refKind == 6 && !isLast)
        {
            refKind = 0;
        }

        if (refKind is 5 or 7 && !isRefLike && refKind == 5)
        {
            refKind = 0;
        }

        string prefix = refKind switch
        {
            1 => "in ",
            2 => "ref ",
            3 => "out ",
            4 => "ref readonly ",
            5 => "scoped ",
            7 => "scoped ref ",
            _ => string.Empty,
        };

        var isParams = false;
        if (refKind == 6)
        {
            isParams = true;
            switch (parameter.Default % 3)
            {
                case 1:
                    type = "ReadOnlySpan<int>";
                    isRefLike = true;
                    NeedsCSharp13 = true;
                    break;
                case 2:
                    type = "string[]";
                    isRefLike = false;
                    break;
                default:
                    type = "int[]";
                    isRefLike = false;
                    break;
            }

            prefix = "params ";
        }

        var defaultValue = refKind is 0 or 1 && parameter.Default != 0 && !isParams ? DefaultValue(type, parameter.Default) : null;
        context.Parameters.Add((type, name, refKind, isRefLike, isParams));
        return ($"{prefix}{type} {name}", defaultValue, isParams);
    }

    private string? DefaultValue(string type, int choice) => type switch
    {
        "int" => new[] { "0", "42", "-1", "int.MinValue" }[choice % 4],
        "string" => new[] { "\"x\"", "\"a\\\"b\\\\\\n\"", "\"\"" }[choice % 3],
        "string?" => new[] { "null", "\"y\"" }[choice % 2],
        "CancellationToken" => "default",
        "long" => new[] { "5L", "long.MinValue" }[choice % 2],
        "double" => new[] { "1.5", "double.NaN", "double.PositiveInfinity", "-0.0", "1e300" }[choice % 5],
        "bool" => new[] { "true", "false" }[choice % 2],
        "decimal" => new[] { "1.5m", "[Optional, DecimalConstant(2, 0, 0u, 0u, 150u)]", "decimal.MaxValue" }[choice % 3],
        "DateTime" => new[] { "[Optional, DateTimeConstant(630822816000000000L)]", "default" }[choice % 2],
        "Color" => new[] { "Color.Green", "(Color)7", "default" }[choice % 3],
        "Color?" => new[] { "null", "Color.Blue" }[choice % 2],
        "int?" => new[] { "null", "5" }[choice % 2],
        "object?" or "Func<int, int>?" => "null",
        "char" => new[] { "'a'", "'\\''", "'\\0'" }[choice % 3],
        "float" => new[] { "1.5f", "float.NaN", "float.NegativeInfinity" }[choice % 3],
        "uint" => "5u",
        "byte" => "255",
        "short" => "-3",
        "ulong" => "ulong.MaxValue",
        "nint" => "0",
        "Guid" or "(string, int)" => "default",
        _ => null,
    };

    // ---- Attributes ------------------------------------------------------------------------------------------------

    private static readonly string[][] Settings =
    {
        // Retry
        new[] { "MaxRetries = 2", "DelayMs = 0", "MaxRetries = -1", "Backoff = BackoffType.Linear", "Jitter = 0", "Jitter = 2.0", "AttemptTimeoutMs = 100", "RetryOn = new[] { typeof(TimeoutException) }", "RetryOn = new[] { typeof(string) }", "MaxDelayMs = 0", "Multiplier = double.NaN", "HandleResult = @pred", "Policy = typeof(NotAPolicy)", "DelayMs = 10", "Budget = \"api\"", "Budget = \" \"", "Budget = \"a:b\"" },
        // CircuitBreaker
        new[] { "FailureThreshold = 2", "FailureThreshold = 0", "FailureRatio = 0.5", "FailureRatio = 1.5", "MinimumThroughput = 3", "BreakDurationMs = 1000", "SamplingDurationMs = 0", "HalfOpenMaxCalls = 2", "Name = \"shared\"", "KeyParameter = @key", "MaxKeys = 10", "KeyIdleTimeoutMs = 100", "Handle = new[] { typeof(InvalidOperationException) }", "HandleResult = @pred", "TimeoutRatio = 0.5", "SuccessThreshold = 2", "SuccessThreshold = 0", "IntervalMs = 1000", "IntervalMs = -1", "HandleException = @epred" },
        // RateLimit
        new[] { "PermitLimit = 5", "PermitLimit = 0", "WindowMs = 100", "Algorithm = RateLimitAlgorithm.FixedWindow", "QueueLimit = 2", "KeyParameter = @key", "Name = \"shared\"", "SegmentsPerWindow = 0", "Algorithm = RateLimitAlgorithm.SlidingWindow", "Algorithm = RateLimitAlgorithm.SlidingWindowExact" },
        // Bulkhead
        new[] { "MaxConcurrency = 2", "MaxConcurrency = 0", "MaxQueue = 5", "MaxQueue = -1", "Name = \"shared\"", "MaxWaitMs = 100", "MaxWaitMs = -1", "Kind = BulkheadKind.WorkerPool" },
        // Timeout: the constructor argument
        new[] { "1000", "0", "-1", "50" },
        // Fallback: how the fallback is written
        new[] { "right", "no-parameters", "wrong-return", "missing", "handler", "wrong-parameter", "value" },
        // CacheFallback
        new[] { "TtlMs = 100", "StaleTtlMs = 0", "KeyParameters = @keys", "KeyParameters = new string[0]", "TtlMs = -1" },
        // Hedge
        new[] { "DelayMs = 0", "DelayMs = -1", "DelayMs = 100", "DelayMs = -2", "MaxHedges = 2", "MaxHedges = 11", "OnFailure = false", "Name = \"shared\"" },
    };

    private static readonly string[] AttributeNames = { "Retry", "CircuitBreaker", "RateLimit", "Bulkhead", "Timeout", "Fallback", "CacheFallback", "Hedge" };

    /// <summary>Settings that are always wrong (RES0005, RES0008, RES0011 with another Name) or that may not match the method.</summary>
    private static readonly HashSet<string> Invalid = new()
    {
        "MaxRetries = -1", "Jitter = 2.0", "RetryOn = new[] { typeof(string) }", "MaxDelayMs = 0", "Multiplier = double.NaN",
        "Policy = typeof(NotAPolicy)", "FailureThreshold = 0", "FailureRatio = 1.5", "SamplingDurationMs = 0", "PermitLimit = 0",
        "SegmentsPerWindow = 0", "MaxConcurrency = 0", "MaxQueue = -1", "0", "-1", "wrong-return", "missing", "wrong-parameter",
        "value", "StaleTtlMs = 0", "TtlMs = -1", "Name = \"shared\"", "KeyParameter = @key", "KeyParameters = @keys", "HandleResult = @pred",
        "MaxKeys = 10", "KeyIdleTimeoutMs = 100", "Budget = \" \"", "Budget = \"a:b\"", "SuccessThreshold = 0", "IntervalMs = -1",
        "HandleException = @epred", "MaxWaitMs = -1", "Kind = BulkheadKind.WorkerPool", "DelayMs = -2", "MaxHedges = 11",
    };

    private string? RenderAttribute(FuzzAttribute attribute, MethodContext? method)
    {
        var kind = attribute.Kind % 8;
        var allowInvalid = attribute.Kind >= 24;
        var pool = allowInvalid ? Settings[kind] : Settings[kind].Where(s => !Invalid.Contains(s)).ToArray();
        var name = AttributeNames[kind];
        if (kind == 4)
        {
            return $"[Timeout({pool[(attribute.Values.FirstOrDefault()) % pool.Length]})]";
        }

        if (kind == 5)
        {
            return method is null ? null : "[" + Fallback(pool[attribute.Values.FirstOrDefault() % pool.Length], method) + "]";
        }

        var arguments = new List<string>();
        var properties = new HashSet<string>();
        foreach (var value in attribute.Values)
        {
            var setting = pool[value % pool.Length];
            var property = setting.Substring(0, setting.IndexOf(' '));
            if (!properties.Add(property))
            {
                continue;
            }

            setting = setting.Replace("@keys", "new[] { " + KeyName(method, value) + " }").Replace("@key", KeyName(method, value));
            if (setting.Contains("@pred"))
            {
                setting = setting.Replace("@pred", Predicate(method, value));
            }

            if (setting.Contains("@epred"))
            {
                setting = setting.Replace("@epred", ExceptionPredicate(value));
            }

            arguments.Add(setting);
        }

        return arguments.Count == 0 ? $"[{name}]" : $"[{name}({string.Join(", ", arguments)})]";
    }

    private static string KeyName(MethodContext? method, int value)
    {
        if (method is null || method.Parameters.Count == 0 || value % 5 == 4)
        {
            return value % 2 == 0 ? "\"id\"" : "\"nope\"";
        }

        return "\"" + method.Parameters[value % method.Parameters.Count].Name.TrimStart('@') + "\"";
    }

    /// <summary>A static predicate on the interface, for the method's result type (or a wrong one), or a name that does not exist.</summary>
    private string Predicate(MethodContext? method, int value)
    {
        var name = "IsBad" + _predicates++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (value % 3)
        {
            case 0 when method?.ResultType is { } resultType && !method.TypeParameters.Any(t => resultType.Contains(t, StringComparison.Ordinal)):
                _extra.AppendLine($"    static bool {name}({resultType} candidate) => false;");
                break;
            case 1:
                _extra.AppendLine($"    static bool {name}(Guid candidate) => false;");
                break;
            default:
                return "\"Missing\"";
        }

        return "\"" + name + "\"";
    }

    /// <summary>A static <c>bool M(Exception)</c> on the interface, one of a wrong shape, or a name that does not exist.</summary>
    private string ExceptionPredicate(int value)
    {
        var name = "IsTransient" + _predicates++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (value % 3)
        {
            case 0:
                _extra.AppendLine($"    static bool {name}(Exception exception) => exception is TimeoutException;");
                break;
            case 1:
                _extra.AppendLine($"    static int {name}(Exception exception) => 0;");
                break;
            default:
                return "\"Missing\"";
        }

        return "\"" + name + "\"";
    }

    private string Fallback(string how, MethodContext method)
    {
        var name = "Fallback" + _fallbacks++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var returnType = method.IsAsync
            ? method.ResultType is null ? "Task" : $"Task<{method.ResultType}>"
            : method.ResultType ?? "void";
        var generic = method.TypeParameters.Any(t => (method.ResultType ?? string.Empty).Contains(t, StringComparison.Ordinal) || method.Parameters.Any(p => p.Type.Contains(t, StringComparison.Ordinal)));
        if (generic)
        {
            how = "missing";
        }

        var byValue = method.Parameters.Where(p => p.RefKind is 0 && !p.IsParams && !p.Type.EndsWith("*", StringComparison.Ordinal)).ToList();
        var errorName = "failure";
        while (method.Parameters.Any(p => p.Name == errorName))
        {
            errorName += "_";
        }

        switch (how)
        {
            case "right":
                _extra.AppendLine($"    {returnType} {name}({string.Join(", ", byValue.Select(p => p.Type + " " + p.Name).Append("Exception " + errorName))});");
                return $"Fallback(\"{name}\")";
            case "no-parameters":
                _extra.AppendLine($"    {returnType} {name}();");
                return $"Fallback(\"{name}\")";
            case "wrong-return":
                _extra.AppendLine($"    Guid {name}(Exception {errorName});");
                return $"Fallback(\"{name}\")";
            case "handler":
                _handlers.AppendLine($"{(_case.IsInternal ? "internal" : "public")} static class {name}Handler {{ public static {returnType} Answer(Exception {errorName}) => throw new NotSupportedException(); }}");
                return $"Fallback(typeof({name}Handler), \"Answer\")";
            case "wrong-parameter":
                _extra.AppendLine($"    {returnType} {name}(Guid unrelated);");
                return $"Fallback(\"{name}\")";
            case "value":
                var valueType = method.ResultType ?? "int";
                _extra.AppendLine($"    {valueType} {name}(Exception {errorName});");
                return $"Fallback(\"{name}\")";
            default:
                return "Fallback(\"Missing\")";
        }
    }

    // ---- Members -----------------------------------------------------------------------------------------------

    private void WriteMember(StringBuilder body, FuzzMember member, int index, HashSet<string> memberNames)
    {
        var marker = Marker(member.Marker % 4);
        var onAccessor = member.Marker >= 4;
        var type = (member.Type % 5) switch
        {
            0 => "int",
            1 => "string",
            2 => "string?",
            3 => "Color",
            _ => "List<int>",
        };
        var suffix = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var owner = onAccessor ? string.Empty : marker;
        var accessor = onAccessor ? Marker(1 + member.Marker % 3) + " " : string.Empty;
        if (owner.Length > 0)
        {
            body.AppendLine("    " + owner);
        }

        switch (member.Kind % 10)
        {
            case 0:
                body.AppendLine($"    {type} Property{suffix} {{ {accessor}get; set; }}");
                break;
            case 1:
                body.AppendLine($"    {type} ReadOnly{suffix} {{ {accessor}get; }}");
                break;
            case 2:
                body.AppendLine($"    {type} this[int index{string.Concat(Enumerable.Range(0, index).Select(j => ", int a" + j))}] {{ {accessor}get; set; }}");
                break;
            case 3:
                body.AppendLine($"    event EventHandler? Changed{suffix};");
                break;
            case 4:
                body.AppendLine($"    {type} Init{suffix} {{ get; {accessor}init; }}");
                break;
            case 5:
                body.AppendLine($"    ref int RefProperty{suffix} {{ {accessor}get; }}");
                break;
            case 6:
                body.AppendLine($"    protected {type} Protected{suffix} {{ {accessor}get; set; }}");
                break;
            case 7:
                body.AppendLine($"    internal void Internal{suffix}(int value);");
                break;
            case 8:
                body.AppendLine($"    static int StaticHelper{suffix}(int value) => value;");
                break;
            default:
                body.AppendLine($"    {type} WithDefault{suffix} => default!;");
                break;
        }

        memberNames.Add(suffix);
    }
}
