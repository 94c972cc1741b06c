using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Resilience.Benchmarks.Generator;

/// <summary>
/// A synthetic project for the generator benchmark: <c>interfaces</c> files, each holding one interface with
/// <c>methodsPerInterface</c> decorated methods (five different stacks of all seven attributes and four return shapes, in rotation) and
/// the class that implements it.
/// </summary>
public sealed class SyntheticSolution
{
    private const string EditMarker = "/*edit-here*/";

    private SyntheticSolution(CSharpCompilation compilation, SyntaxTree editedFileOriginal, SyntaxTree editedFileChanged, CSharpParseOptions parseOptions)
    {
        Compilation = compilation;
        EditedFileOriginal = editedFileOriginal;
        EditedFileChanged = editedFileChanged;
        ParseOptions = parseOptions;
    }

    /// <summary>The whole project: every file, the runtime and the framework references.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>The file that the incremental run edits, as it is in <see cref="Compilation"/>.</summary>
    public SyntaxTree EditedFileOriginal { get; }

    /// <summary>The same file after one method body changed (an incremental reparse, as an editor does).</summary>
    public SyntaxTree EditedFileChanged { get; }

    /// <summary>Parse options of every file.</summary>
    public CSharpParseOptions ParseOptions { get; }

    /// <summary>The project after the edit.</summary>
    public CSharpCompilation EditedCompilation() => Compilation.ReplaceSyntaxTree(EditedFileOriginal, EditedFileChanged);

    /// <summary>The project after some other edit of the same file: the first <paramref name="oldText"/> becomes <paramref name="newText"/>.</summary>
    public CSharpCompilation EditedCompilation(string oldText, string newText)
    {
        SourceText text = EditedFileOriginal.GetText();
        int at = text.ToString().IndexOf(oldText, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ArgumentException($"'{oldText}' does not occur in the edited file.", nameof(oldText));
        }

        SyntaxTree changed = EditedFileOriginal.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, oldText.Length), newText)));
        return Compilation.ReplaceSyntaxTree(EditedFileOriginal, changed);
    }

    /// <summary>
    /// The project after a keystroke in a declaration of the edited file, one that changes what an attribute says
    /// (<c>MaxRetries = 3</c> of its first method becomes <c>MaxRetries = </c><paramref name="keystroke"/>): a new file
    /// each time, as an editor makes one per keystroke, so no run finds the declarations of an earlier one.
    /// </summary>
    /// <param name="keystroke">Which keystroke; the value written is 4 plus it modulo 1,000,000.</param>
    public CSharpCompilation DeclarationEditedCompilation(int keystroke)
        => EditedCompilation("[Retry(MaxRetries = 3, DelayMs = 100)]",
            string.Create(CultureInfo.InvariantCulture, $"[Retry(MaxRetries = {4 + (keystroke % 1_000_000)}, DelayMs = 100)]"));

    /// <summary>Builds the project: parses every file and creates the compilation (no binding yet).</summary>
    public static SyntheticSolution Create(int interfaces, int methodsPerInterface)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interfaces, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(methodsPerInterface, 1);

        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new SyntaxTree[interfaces];
        for (int i = 0; i < interfaces; i++)
        {
            trees[i] = CSharpSyntaxTree.ParseText(SourceText.From(File(i, methodsPerInterface), Encoding.UTF8), parseOptions, path: $"Service{i}.cs");
        }

        var compilation = CSharpCompilation.Create(
            "Synthetic",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        SyntaxTree original = trees[interfaces / 2];
        SourceText text = original.GetText();
        int at = text.ToString().IndexOf(EditMarker, StringComparison.Ordinal);
        SyntaxTree changed = original.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, EditMarker.Length), "1000 + ")));
        return new SyntheticSolution(compilation, original, changed, parseOptions);
    }

    private static List<MetadataReference> References()
    {
        var references = new List<MetadataReference> { MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location) };
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib")
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        return references;
    }

    private static string File(int index, int methods)
    {
        var interfaceBody = new StringBuilder();
        var classBody = new StringBuilder();
        for (int m = 0; m < methods; m++)
        {
            // The edit marker sits in the first method body of every file; only the edited file's marker is replaced.
            string edit = m == 0 ? EditMarker : string.Empty;
            switch (m % 5)
            {
                case 0:
                    interfaceBody.Append(CultureInfo.InvariantCulture, $$"""
                            [Retry(MaxRetries = 3, DelayMs = 100)]
                            [Timeout(2000)]
                            ValueTask<int> Get{{m}}Async(int id, CancellationToken cancellationToken);

                        """);
                    classBody.Append(CultureInfo.InvariantCulture, $$"""
                            public ValueTask<int> Get{{m}}Async(int id, CancellationToken cancellationToken) => new({{edit}}id + {{m}});

                        """);
                    break;
                case 1:
                    interfaceBody.Append(CultureInfo.InvariantCulture, $$"""
                            [CacheFallback(TtlMs = 1000)]
                            [Timeout(5000)]
                            [Retry(MaxRetries = 2, Backoff = BackoffType.Linear)]
                            Task<string> Find{{m}}Async(string key, CancellationToken cancellationToken = default);

                        """);
                    classBody.Append(CultureInfo.InvariantCulture, $$"""
                            public Task<string> Find{{m}}Async(string key, CancellationToken cancellationToken = default) => Task.FromResult(key + "{{m}}");

                        """);
                    break;
                case 2:
                    interfaceBody.Append(CultureInfo.InvariantCulture, $$"""
                            [RateLimit(PermitLimit = 100, WindowMs = 1000, KeyParameter = "tenant")]
                            [Bulkhead(MaxConcurrency = 8, MaxQueue = 16)]
                            ValueTask Save{{m}}Async(string tenant, int value, CancellationToken cancellationToken);

                        """);
                    classBody.Append(CultureInfo.InvariantCulture, $$"""
                            public ValueTask Save{{m}}Async(string tenant, int value, CancellationToken cancellationToken) => default;

                        """);
                    break;
                case 3:
                    interfaceBody.Append(CultureInfo.InvariantCulture, $$"""
                            [Fallback(nameof(Load{{m}}Fallback))]
                            [Retry(MaxRetries = 1)]
                            Task<int> Load{{m}}Async(int id, CancellationToken cancellationToken);

                            Task<int> Load{{m}}Fallback(int id, Exception error);

                        """);
                    classBody.Append(CultureInfo.InvariantCulture, $$"""
                            public Task<int> Load{{m}}Async(int id, CancellationToken cancellationToken) => Task.FromResult(id);

                            public Task<int> Load{{m}}Fallback(int id, Exception error) => Task.FromResult(-1);

                        """);
                    break;
                default:
                    interfaceBody.Append(CultureInfo.InvariantCulture, $$"""
                            [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20, Name = "shared-{{index % 7}}")]
                            [Retry(MaxRetries = 3, DelayMs = 50, Jitter = 0)]
                            int Compute{{m}}(int x, int y);

                        """);
                    classBody.Append(CultureInfo.InvariantCulture, $$"""
                            public int Compute{{m}}(int x, int y) => x * y + {{m}};

                        """);
                    break;
            }
        }

        return $$"""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Synthetic.Area{{index % 20}};

            [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 30000)]
            public interface IService{{index}}
            {
            {{interfaceBody}}}

            public sealed class Service{{index}} : IService{{index}}
            {
            {{classBody}}}
            """;
    }
}
