using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Binding;

/// <summary>
/// The value rules each resilience attribute breaks (<see cref="AttributeReader"/>, <see cref="AttributeRules"/>), as
/// problems on the argument that sets them, wherever the attribute is written: RES0005, RES0008, RES0027–RES0029 and
/// the warning RES0017. An attribute with an error makes the methods it applies to plain delegation.
/// </summary>
internal static class AttributeProblems
{
    /// <summary>Adds the problems of the resilience attributes written on <paramref name="symbol"/>.</summary>
    public static void Describe(ISymbol symbol, KnownSymbols symbols, Problems problems, CancellationToken cancellationToken)
    {
        var declaring = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        if (declaring is null)
        {
            return;
        }

        foreach (var attribute in AttributeReader.ReadAll(symbol, declaring, symbol is INamedTypeSymbol, symbols))
        {
            foreach (var violation in attribute.Violations)
            {
                Add(problems, attribute, violation, cancellationToken);
            }
        }
    }

    private static void Add(Problems problems, BoundAttribute attribute, AttributeViolation violation, CancellationToken cancellationToken)
    {
        var data = attribute.Data;
        switch (violation.Kind)
        {
            case ViolationKind.PolicyType:
                problems.Add(
                    DiagnosticDescriptors.PolicyTypeInvalid,
                    AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken),
                    attribute.Name + " " + violation.Setting,
                    violation.Value,
                    violation.Message);
                break;
            case ViolationKind.KeyedOnly:
                problems.Add(
                    DiagnosticDescriptors.KeyedSettingWithoutKey,
                    AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken),
                    attribute.Name,
                    violation.Message);
                break;
            case ViolationKind.HandleExceptionNotFound:
                problems.Add(DiagnosticDescriptors.HandleExceptionNotFound, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), attribute.Name, violation.Message);
                break;
            case ViolationKind.HandleExceptionNotStatic:
                problems.Add(DiagnosticDescriptors.HandleExceptionNotStatic, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), attribute.Name, violation.Message);
                break;
            case ViolationKind.HandleExceptionSignature:
                problems.Add(DiagnosticDescriptors.HandleExceptionSignatureInvalid, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), attribute.Name, violation.Message);
                break;
            case ViolationKind.BudgetName:
                problems.Add(DiagnosticDescriptors.RetryBudgetNameInvalid, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), violation.Message);
                break;
            case ViolationKind.BudgetUnused:
                problems.Add(DiagnosticDescriptors.RetryBudgetNeverUsed, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), violation.Message);
                break;
            case ViolationKind.BudgetNotConfigurable:
                problems.Add(DiagnosticDescriptors.RetryBudgetNotConfigurable, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), violation.Message);
                break;
            case ViolationKind.Element:
                problems.Add(DiagnosticDescriptors.InvalidAttributeValue, AttributeLocations.NamedArgumentElement(data, violation.Setting, violation.Index, cancellationToken), attribute.Name, violation.Message);
                break;
            case ViolationKind.ConstructorArgument:
                problems.Add(DiagnosticDescriptors.InvalidAttributeValue, AttributeLocations.ConstructorArgument(data, violation.Setting, violation.Index, cancellationToken), attribute.Name, violation.Message);
                break;
            default:
                problems.Add(DiagnosticDescriptors.InvalidAttributeValue, AttributeLocations.NamedArgument(data, violation.Setting, cancellationToken), attribute.Name, violation.Message);
                break;
        }
    }
}
