using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>Shared wording and placement of diagnostics about an attribute applied to a method.</summary>
internal static class DiagnosticText
{
    /// <summary>
    /// How a message names the method: <c>'GetUserAsync'</c>, or for an interface-level attribute
    /// <c>'GetUserAsync' (the interface-level [Retry] of 'IUserService' applies to it)</c>.
    /// </summary>
    public static string Subject(MethodBinding method, BoundAttribute attribute)
        => attribute.IsInterfaceLevel
            ? $"'{method.Symbol.Name}' (the interface-level [{attribute.Name}] of '{method.Symbol.ContainingType.Name}' applies to it)"
            : $"'{method.Symbol.Name}'";

    /// <summary>
    /// Where a method-specific diagnostic about <paramref name="attribute"/> goes: on the method's identifier when the
    /// attribute is interface-level, else on <paramref name="onAttribute"/> (by default the whole attribute).
    /// </summary>
    public static Location Where(MethodBinding method, BoundAttribute attribute, CancellationToken cancellationToken, Location? onAttribute = null)
        => attribute.IsInterfaceLevel
            ? method.Identifier
            : onAttribute ?? AttributeLocations.Attribute(attribute.Data, cancellationToken);

    /// <summary>The method's parameter names as a list for a message: <c>'id', 'tenant'</c>.</summary>
    public static string ParameterList(IMethodSymbol method, KnownSymbols symbols)
    {
        var names = new List<string>();
        foreach (var parameter in method.Parameters)
        {
            if (!symbols.IsCancellationToken(parameter.Type))
            {
                names.Add("'" + parameter.Name + "'");
            }
        }

        return names.Count == 0 ? string.Empty : string.Join(", ", names);
    }

    /// <summary>A number for a message, in the invariant culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number for a message, in the invariant culture.</summary>
    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>File.cs(12,6)</c> for a source location.</summary>
    public static string Position(Location location)
    {
        var span = location.GetLineSpan();
        var path = span.Path ?? string.Empty;
        var slash = path.LastIndexOfAny(new[] { '/', '\\' });
        var builder = new StringBuilder(path.Substring(slash + 1));
        builder.Append('(')
            .Append(Number(span.StartLinePosition.Line + 1))
            .Append(',')
            .Append(Number(span.StartLinePosition.Character + 1))
            .Append(')');
        return builder.ToString();
    }
}
