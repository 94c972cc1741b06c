using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Generator.Tests.Infrastructure;

/// <summary>Queries over generated text parsed back into syntax.</summary>
internal static class GeneratedSyntax
{
    public static CompilationUnitSyntax Parse(string text) => (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions).GetRoot();

    public static ClassDeclarationSyntax Class(string text, string name)
        => Parse(text).DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.Text == name);

    /// <summary>The method (or explicit implementation) named <paramref name="name"/>; its text, normalised.</summary>
    public static MethodDeclarationSyntax Method(string text, string name)
        => Parse(text).DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == name && m.ExplicitInterfaceSpecifier is null);

    public static MethodDeclarationSyntax ExplicitMethod(string text, string name)
        => Parse(text).DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == name && m.ExplicitInterfaceSpecifier is not null);

    /// <summary>Whether the member only forwards (an expression body calling the inner instance, no try/loop).</summary>
    public static bool IsPlainDelegation(MethodDeclarationSyntax method)
        => method.ExpressionBody is { } body && body.Expression.ToString().Contains("_inner", StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="text"/> with the lines the generator wrapped at 150 characters joined again (after an opening
    /// parenthesis or bracket or an initializer's brace, after a comma, before <c>&amp;&amp;</c> / <c>||</c>), for assertions on one logical line.
    /// </summary>
    public static string Unwrapped(string text)
    {
        text = System.Text.RegularExpressions.Regex.Replace(text, @"([(\[])[ \t]*\n[ \t]*", "$1");
        text = System.Text.RegularExpressions.Regex.Replace(text, @",[ \t]*\n[ \t]*", ", ");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(\S) \{[ \t]*\n[ \t]*", "$1 { ");
        return System.Text.RegularExpressions.Regex.Replace(text, @"[ \t]*\n[ \t]*(&&|\|\|)", " $1");
    }
}
