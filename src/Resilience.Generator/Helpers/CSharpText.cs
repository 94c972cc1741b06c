using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Resilience.Generator.Helpers;

/// <summary>C# text for values: literals and identifiers. No symbols: the emitter and the binder both use it.</summary>
internal static class CSharpText
{
    /// <summary>A string literal, quoted and escaped.</summary>
    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>A double with round-trip precision, or the matching constant for NaN and infinities.</summary>
    public static string Double(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "double.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }

    /// <summary>
    /// <c>@</c>-escapes a reserved keyword, and a contextual one (<c>await</c>, <c>value</c>, <c>var</c>): escaping is
    /// always legal, and an <c>await</c> parameter is otherwise the operator inside the decorator's async methods.
    /// </summary>
    public static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None || IsContextualKeyword(identifier) ? "@" + identifier : identifier;

    /// <summary>Whether <paramref name="identifier"/> is a contextual keyword (<c>await</c>, <c>var</c>, ...).</summary>
    public static bool IsContextualKeyword(string identifier) => SyntaxFacts.GetContextualKeywordKind(identifier) != SyntaxKind.None;
}
