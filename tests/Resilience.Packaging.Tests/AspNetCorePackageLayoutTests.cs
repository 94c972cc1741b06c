using Resilience.Packaging.Tests.Infrastructure;

namespace Resilience.Packaging.Tests;

/// <summary>
/// The ASP.NET Core package: its assembly and XML docs in <c>lib/</c> for each target framework, a dependency on the
/// runtime package of the same version and on the ASP.NET Core shared framework (no ASP.NET Core package), and the
/// runtime package free of any ASP.NET Core dependency.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class AspNetCorePackageLayoutTests
{
    private static readonly string[] TargetFrameworks = ["net10.0", "net8.0"];

    private readonly PackedPackage _package;

    public AspNetCorePackageLayoutTests(PackedPackage package) => _package = package;

    [Fact]
    public async Task Assembly_and_xml_docs_are_in_lib_for_net8_and_net10()
    {
        using var package = new PackageReader(await _package.EnsureAspNetCorePackedAsync());

        foreach (var framework in TargetFrameworks)
        {
            Assert.Equal(
                new[] { $"lib/{framework}/Resilience.AspNetCore.dll", $"lib/{framework}/Resilience.AspNetCore.xml" },
                package.ContentEntries.Where(e => e.StartsWith($"lib/{framework}/", StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(package.ContentEntries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Depends_on_the_runtime_package_of_its_version_and_the_shared_framework_only()
    {
        using var package = new PackageReader(await _package.EnsureAspNetCorePackedAsync());
        var metadata = package.ReadNuspec().Metadata();

        Assert.Equal(PackedPackage.AspNetCorePackageId, metadata.Child("id")?.Value);
        Assert.Equal("MIT", metadata.Child("license")?.Value);
        var groups = metadata.Child("dependencies")?.Children("group").ToArray() ?? [];
        Assert.Equal(TargetFrameworks, groups.Select(g => g.Attribute("targetFramework")?.Value).Order(StringComparer.Ordinal));
        foreach (var group in groups)
        {
            Assert.Equal(
                [$"{PackedPackage.PackageId} {_package.Version}"],
                group.Children("dependency").Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}"));
        }

        var frameworkReferences = metadata.Child("frameworkReferences")?.Children("group")
            .SelectMany(g => g.Children("frameworkReference").Select(r => r.Attribute("name")?.Value ?? "(no name)"))
            .Distinct()
            .ToArray() ?? [];
        Assert.Equal(["Microsoft.AspNetCore.App"], frameworkReferences);
    }

    [Fact]
    public async Task The_runtime_package_references_no_ASP_NET_Core()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());
        var metadata = package.ReadNuspec().Metadata();

        Assert.Null(metadata.Child("frameworkReferences"));
        Assert.DoesNotContain(
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency"),
            d => (d.Attribute("id")?.Value ?? string.Empty).Contains("AspNetCore", StringComparison.OrdinalIgnoreCase));
    }
}
