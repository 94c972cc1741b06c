
namespace Resilience.Generator.Tests.Infrastructure;

/// <summary>
/// Golden files: <c>Baselines/{Case}__{HintName}.txt</c>, checked in. The generator version is replaced by
/// <see cref="VersionPlaceholder"/> and line endings are normalised to '\n'. With <c>ACCEPT_BASELINES=1</c> the files
/// are rewritten instead of compared.
/// </summary>
internal static class Baseline
{
    public const string VersionPlaceholder = "{GENERATOR_VERSION}";

    public static bool Accepting => Environment.GetEnvironmentVariable("ACCEPT_BASELINES") == "1";

    public static bool RunningInCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Directory { get; } = Path.Combine(ProjectDirectory(), "Baselines");

    public static string GeneratorVersion { get; } = typeof(ResilienceGenerator).Assembly.GetName().Version?.ToString() ?? "1.0.0.0";

    public static string Normalize(string text)
        => text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace($"\"Resilience.Generator\", \"{GeneratorVersion}\"", $"\"Resilience.Generator\", \"{VersionPlaceholder}\"", StringComparison.Ordinal);

    public static string FileName(string caseName, string hintName) => $"{caseName}__{hintName}.txt";

    /// <summary>Compares (or, when accepting, writes) every generated file of a case, and rejects stale baselines of it.</summary>
    public static void Verify(string caseName, IReadOnlyList<(string HintName, string Text)> sources)
    {
        var expectedFiles = sources.Select(s => FileName(caseName, s.HintName)).ToHashSet(StringComparer.Ordinal);
        var existing = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, caseName + "__*.txt").Select(Path.GetFileName).ToList()
            : new List<string?>();

        if (Accepting)
        {
            System.IO.Directory.CreateDirectory(Directory);
            foreach (var stale in existing.Where(f => !expectedFiles.Contains(f!)))
            {
                File.Delete(Path.Combine(Directory, stale!));
            }

            foreach (var (hintName, text) in sources)
            {
                File.WriteAllText(Path.Combine(Directory, FileName(caseName, hintName)), Normalize(text));
            }

            return;
        }

        var stray = existing.Where(f => !expectedFiles.Contains(f!)).ToList();
        Assert.True(stray.Count == 0, $"Baselines no longer generated for case '{caseName}': {string.Join(", ", stray)}. Run with ACCEPT_BASELINES=1 to remove them.");

        foreach (var (hintName, text) in sources)
        {
            var path = Path.Combine(Directory, FileName(caseName, hintName));
            Assert.True(File.Exists(path), $"No baseline '{path}'. Run the tests with ACCEPT_BASELINES=1 to create it, then review and commit it.");
            var expected = Normalize(File.ReadAllText(path));
            var actual = Normalize(text);
            if (expected != actual)
            {
                Assert.Fail(Describe(path, expected, actual));
            }
        }
    }

    /// <summary>A message naming the first differing line.</summary>
    public static string Describe(string path, string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var count = Math.Min(expectedLines.Length, actualLines.Length);
        for (var i = 0; i < count; i++)
        {
            if (expectedLines[i] != actualLines[i])
            {
                return $"Generated code differs from baseline '{Path.GetFileName(path)}' at line {i + 1}:\n" +
                    $"  expected: {expectedLines[i]}\n" +
                    $"  actual:   {actualLines[i]}\n" +
                    "Run the tests with ACCEPT_BASELINES=1 to accept the new output, then review the diff.";
            }
        }

        return $"Generated code differs from baseline '{Path.GetFileName(path)}' in length: expected {expectedLines.Length} lines, got {actualLines.Length} " +
            $"(first extra line {count + 1}: '{(expectedLines.Length > count ? expectedLines[count] : actualLines[count])}'). " +
            "Run the tests with ACCEPT_BASELINES=1 to accept the new output, then review the diff.";
    }

    // Found from the test binaries, not [CallerFilePath]: CI builds are deterministic and map source paths to "/_/".
    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generator.Tests.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Resilience.Generator.Tests.csproj above '{AppContext.BaseDirectory}'.");
    }
}
