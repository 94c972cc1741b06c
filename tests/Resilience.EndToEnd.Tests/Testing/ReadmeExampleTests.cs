namespace Resilience.EndToEnd.Tests.Testing;

/// <summary>The README's testing section shows <c>CheckoutTests.cs</c> exactly, so the example it shows is one that runs.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_shows_the_checkout_test_file_as_it_is()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Resilience.Generator.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        string example = File.ReadAllText(Path.Combine(root, "tests", "Resilience.EndToEnd.Tests", "Testing", "CheckoutTests.cs")).ReplaceLineEndings("\n").TrimEnd('\n');
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + example + "\n```", readme, StringComparison.Ordinal);
    }
}
