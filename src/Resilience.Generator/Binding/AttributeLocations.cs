using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Generator.Binding;

/// <summary>Finds where in source an attribute, or one of its arguments, is written.</summary>
internal static class AttributeLocations
{
    /// <summary>The whole attribute (<c>Retry(MaxRetries = 3)</c>); <see cref="Location.None"/> when it is not in source.</summary>
    public static Location Attribute(AttributeData attribute, CancellationToken cancellationToken)
        => GetSyntax(attribute, cancellationToken)?.GetLocation() ?? Location.None;

    /// <summary>The named argument <c>Name = value</c>, or the whole attribute when it is not written out.</summary>
    public static Location NamedArgument(AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        var syntax = GetSyntax(attribute, cancellationToken);
        var argument = FindNamed(syntax, name);
        return argument?.GetLocation() ?? syntax?.GetLocation() ?? Location.None;
    }

    /// <summary>
    /// Element <paramref name="index"/> of the array given to the named argument (<c>typeof(string)</c> in
    /// <c>RetryOn = new[] { typeof(string) }</c>), or the whole argument when the elements are not written out.
    /// </summary>
    public static Location NamedArgumentElement(AttributeData attribute, string name, int index, CancellationToken cancellationToken)
    {
        var syntax = GetSyntax(attribute, cancellationToken);
        var argument = FindNamed(syntax, name);
        if (argument is null)
        {
            return syntax?.GetLocation() ?? Location.None;
        }

        var element = GetElement(argument.Expression, index);
        return (element ?? argument).GetLocation();
    }

    /// <summary>The constructor argument bound to <paramref name="parameterName"/> (at <paramref name="ordinal"/>), or the whole attribute.</summary>
    public static Location ConstructorArgument(AttributeData attribute, string parameterName, int ordinal, CancellationToken cancellationToken)
    {
        var syntax = GetSyntax(attribute, cancellationToken);
        if (syntax?.ArgumentList is { } list)
        {
            var position = 0;
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals is not null)
                {
                    continue;
                }

                if (argument.NameColon is { } nameColon)
                {
                    if (nameColon.Name.Identifier.ValueText == parameterName)
                    {
                        return argument.GetLocation();
                    }
                }
                else if (position == ordinal)
                {
                    return argument.GetLocation();
                }

                position++;
            }
        }

        return syntax?.GetLocation() ?? Location.None;
    }

    private static AttributeSyntax? GetSyntax(AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

    private static AttributeArgumentSyntax? FindNamed(AttributeSyntax? syntax, string name)
    {
        if (syntax?.ArgumentList is { } list)
        {
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals is { } nameEquals && nameEquals.Name.Identifier.ValueText == name)
                {
                    return argument;
                }
            }
        }

        return null;
    }

    private static SyntaxNode? GetElement(ExpressionSyntax expression, int index)
    {
        switch (expression)
        {
            case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                return index < initializer.Expressions.Count ? initializer.Expressions[index] : null;
            case ImplicitArrayCreationExpressionSyntax { Initializer: { } implicitInitializer }:
                return index < implicitInitializer.Expressions.Count ? implicitInitializer.Expressions[index] : null;
            case CollectionExpressionSyntax collection:
                return index < collection.Elements.Count && collection.Elements[index] is ExpressionElementSyntax element ? element.Expression : null;
            default:
                return null;
        }
    }
}
