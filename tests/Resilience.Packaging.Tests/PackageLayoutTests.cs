using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Resilience.Packaging.Tests.Infrastructure;

namespace Resilience.Packaging.Tests;

/// <summary>
/// The one package a consumer references: runtime in <c>lib/</c> for each target framework, the generator as an
/// analyzer only, README, license, repository metadata, dependencies and a symbol package.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class PackageLayoutTests
{
    private const string GeneratorEntry = "analyzers/dotnet/roslyn4.8/cs/Resilience.Generator.dll";

    private static readonly string[] TargetFrameworks = ["net10.0", "net8.0"];

    private static readonly string[] RuntimeDependencies =
    [
        "Microsoft.Extensions.Configuration.Binder",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Diagnostics.Abstractions",
        "Microsoft.Extensions.Hosting.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Options.ConfigurationExtensions",
        "System.Threading.RateLimiting",
    ];

    private readonly PackedPackage _package;

    public PackageLayoutTests(PackedPackage package) => _package = package;

    [Fact]
    public async Task Feed_holds_exactly_the_packages_and_their_symbol_packages()
    {
        await _package.EnsurePackedAsync();

        Assert.Equal(
            new[]
            {
                Path.GetFileName(_package.PackagePath),
                Path.GetFileName(_package.SymbolPackagePath),
                Path.GetFileName(_package.AspNetCorePackagePath),
                Path.GetFileName(_package.AspNetCoreSymbolPackagePath),
                Path.GetFileName(_package.HttpPackagePath),
                Path.GetFileName(_package.HttpSymbolPackagePath),
                Path.GetFileName(_package.TestingPackagePath),
                Path.GetFileName(_package.TestingPackagePath).Replace(".nupkg", ".snupkg", StringComparison.Ordinal),
                Path.GetFileName(_package.RedisPackagePath),
                Path.GetFileName(_package.RedisSymbolPackagePath),
                Path.GetFileName(_package.CachingPackagePath),
                Path.GetFileName(_package.CachingSymbolPackagePath),
            }.Order(StringComparer.Ordinal),
            _package.ListFeed());
    }

    [Fact]
    public async Task Http_package_has_its_assembly_and_docs_for_net8_and_net10_and_depends_on_the_runtime_package()
    {
        await _package.EnsurePackedAsync();
        using var package = new PackageReader(_package.HttpPackagePath);

        foreach (var framework in TargetFrameworks)
        {
            Assert.Equal(
                new[] { $"lib/{framework}/Resilience.Http.dll", $"lib/{framework}/Resilience.Http.xml" },
                package.ContentEntries.Where(e => e.StartsWith($"lib/{framework}/", StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(package.ContentEntries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        var metadata = package.ReadNuspec().Metadata();
        Assert.Equal(PackedPackage.HttpPackageId, metadata.Child("id")?.Value);
        Assert.Equal("http.md", metadata.Child("readme")?.Value);
        var centralVersions = ReadCentralVersions(Path.Combine(_package.RepositoryRoot, "Directory.Packages.props"));
        foreach (var group in metadata.Child("dependencies")?.Children("group") ?? [])
        {
            var dependencies = group.Children("dependency")
                .Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}")
                .Order(StringComparer.Ordinal);

            // No ASP.NET Core and no Refit: only the HttpClient factory and the runtime package.
            Assert.Equal(
                new[] { $"Microsoft.Extensions.Http {centralVersions["Microsoft.Extensions.Http"]}", $"{PackedPackage.PackageId} {_package.Version}" },
                dependencies);
        }
    }

    [Fact]
    public async Task Redis_package_has_its_assembly_and_docs_for_net8_and_net10_and_depends_on_the_runtime_package_and_StackExchange_Redis()
    {
        await _package.EnsurePackedAsync();
        using var package = new PackageReader(_package.RedisPackagePath);

        foreach (var framework in TargetFrameworks)
        {
            Assert.Equal(
                new[] { $"lib/{framework}/Resilience.Redis.dll", $"lib/{framework}/Resilience.Redis.xml" },
                package.ContentEntries.Where(e => e.StartsWith($"lib/{framework}/", StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(package.ContentEntries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        var metadata = package.ReadNuspec().Metadata();
        Assert.Equal(PackedPackage.RedisPackageId, metadata.Child("id")?.Value);
        Assert.Equal("redis.md", metadata.Child("readme")?.Value);
        var centralVersions = ReadCentralVersions(Path.Combine(_package.RepositoryRoot, "Directory.Packages.props"));
        foreach (var group in metadata.Child("dependencies")?.Children("group") ?? [])
        {
            var dependencies = group.Children("dependency")
                .Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}")
                .Order(StringComparer.Ordinal);
            Assert.Equal(
                new[] { $"{PackedPackage.PackageId} {_package.Version}", $"StackExchange.Redis {centralVersions["StackExchange.Redis"]}" }
                    .Order(StringComparer.Ordinal),
                dependencies);
        }
    }

    [Fact]
    public async Task Runtime_is_in_lib_for_net8_and_net10_with_xml_docs()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());

        var libFolders = package.ContentEntries
            .Where(e => e.StartsWith("lib/", StringComparison.Ordinal))
            .Select(e => e.Split('/')[1])
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(TargetFrameworks, libFolders);
        foreach (var framework in TargetFrameworks)
        {
            Assert.Equal(
                new[] { $"lib/{framework}/Resilience.Runtime.dll", $"lib/{framework}/Resilience.Runtime.xml" },
                package.ContentEntries.Where(e => e.StartsWith($"lib/{framework}/", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Generator_ships_only_as_a_Roslyn_4_8_analyzer()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());

        Assert.Equal(
            new[] { GeneratorEntry },
            package.ContentEntries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));
        Assert.DoesNotContain(package.ContentEntries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(package.ContentEntries, e => e.EndsWith("Resilience.Generator.dll", StringComparison.Ordinal) && e != GeneratorEntry);

        // Roslyn comes from the compiler that loads the generator; shipping it would break loading.
        Assert.DoesNotContain(package.ContentEntries, e => Path.GetFileName(e).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Generator_assembly_targets_netstandard_and_Roslyn_no_newer_than_4_8()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());

        using var peReader = new PEReader(new MemoryStream(package.ReadBytes(GeneratorEntry)));
        var metadata = peReader.GetMetadataReader();
        var references = metadata.AssemblyReferences
            .Select(handle => metadata.GetAssemblyReference(handle))
            .ToDictionary(r => metadata.GetString(r.Name), r => r.Version, StringComparer.Ordinal);
        var listing = string.Join(", ", references.Select(r => $"{r.Key} {r.Value}"));

        Assert.True(references.ContainsKey("netstandard"), "The generator must target netstandard2.0 to load in every compiler host; it references: " + listing);
        Assert.True(references.ContainsKey("Microsoft.CodeAnalysis"), "The analyzer assembly does not reference Roslyn; it references: " + listing);
        var roslynVersionLimit = new Version(4, 8, 0, 0);
        foreach (var (name, version) in references.Where(r => r.Key.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)))
        {
            Assert.True(
                version <= roslynVersionLimit,
                $"{name} {version} is newer than {roslynVersionLimit}: the generator would not load in the .NET 8 SDK or VS 2022 17.8. References: {listing}");
        }

        Assert.False(references.ContainsKey("Resilience.Runtime"), "The generator must not depend on the runtime assembly, which the compiler cannot load: " + listing);
    }

    [Fact]
    public async Task Readme_is_the_repository_readme_and_is_declared()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());

        var expected = await File.ReadAllBytesAsync(Path.Combine(_package.RepositoryRoot, "README.md"));
        Assert.Equal(expected, package.ReadBytes("README.md"));
        Assert.Equal("README.md", package.ReadNuspec().Metadata().Child("readme")?.Value);
    }

    [Fact]
    public async Task Docs_ship_beside_the_readme_so_its_links_and_the_diagnostics_help_pages_resolve()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());
        var docsRoot = Path.Combine(_package.RepositoryRoot, "docs");
        var expected = Directory.EnumerateFiles(docsRoot, "*.md", SearchOption.AllDirectories)
            .Select(f => "docs/" + Path.GetRelativePath(docsRoot, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Contains("docs/diagnostics/RES0001.md", expected);
        Assert.Equal(expected, package.ContentEntries.Where(e => e.StartsWith("docs/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        foreach (var entry in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_package.RepositoryRoot, entry)), package.ReadBytes(entry));
        }
    }

    [Fact]
    public async Task Nuspec_has_id_version_MIT_license_expression_and_no_url_that_leads_nowhere()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());
        var metadata = package.ReadNuspec().Metadata();

        Assert.Equal(PackedPackage.PackageId, metadata.Child("id")?.Value);
        Assert.Equal(_package.Version, metadata.Child("version")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Child("description")?.Value), "The package needs a description:\n" + metadata);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Child("authors")?.Value), "The package needs authors:\n" + metadata);

        var license = metadata.Child("license");
        Assert.NotNull(license);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);

        // The repository has no public address yet: the package names none (SourceLink may still record the commit).
        Assert.Null(metadata.Child("projectUrl"));
        Assert.Null(metadata.Child("repository")?.Attribute("url"));

        // A development dependency would be private to the consumer and never flow to its own consumers.
        Assert.NotEqual("true", metadata.Child("developmentDependency")?.Value);
    }

    [Fact]
    public async Task Each_target_framework_depends_on_the_central_package_versions_only()
    {
        using var package = new PackageReader(await _package.EnsurePackedAsync());
        var metadata = package.ReadNuspec().Metadata();
        var centralVersions = ReadCentralVersions(Path.Combine(_package.RepositoryRoot, "Directory.Packages.props"));
        var expected = RuntimeDependencies.Select(id => $"{id} {centralVersions[id]}").ToArray();

        var groups = metadata.Child("dependencies")?.Children("group").ToArray() ?? [];
        Assert.Equal(TargetFrameworks, groups.Select(g => g.Attribute("targetFramework")?.Value).Order(StringComparer.Ordinal));
        foreach (var group in groups)
        {
            var dependencies = group.Children("dependency")
                .Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}")
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, dependencies);
        }
    }

    [Fact]
    public async Task Symbol_package_holds_portable_pdbs_for_both_target_frameworks()
    {
        await _package.EnsurePackedAsync();
        Assert.True(File.Exists(_package.SymbolPackagePath), $"{_package.SymbolPackagePath} is missing; the feed holds [{string.Join(", ", _package.ListFeed())}].");
        using var symbols = new PackageReader(_package.SymbolPackagePath);

        Assert.Equal(
            TargetFrameworks.Select(f => $"lib/{f}/Resilience.Runtime.pdb"),
            symbols.ContentEntries.Where(e => e.EndsWith(".pdb", StringComparison.Ordinal)));
        foreach (var framework in TargetFrameworks)
        {
            // Portable PDBs start with the ECMA-335 metadata signature "BSJB"; symbol servers accept only those.
            Assert.Equal("BSJB"u8.ToArray(), symbols.ReadBytes($"lib/{framework}/Resilience.Runtime.pdb")[..4]);
        }
    }

    private static Dictionary<string, string> ReadCentralVersions(string propsPath) =>
        XDocument.Load(propsPath)
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
}
