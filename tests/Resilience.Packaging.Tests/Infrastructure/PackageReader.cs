using System.IO.Compression;
using System.Xml.Linq;

namespace Resilience.Packaging.Tests.Infrastructure;

/// <summary>Reads a .nupkg or .snupkg as the zip file it is.</summary>
internal sealed class PackageReader : IDisposable
{
    private readonly ZipArchive _archive;

    public PackageReader(string path)
    {
        _archive = ZipFile.OpenRead(path);
        Entries = _archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every entry's full name, with forward slashes, sorted.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>Entries that are package content, without the OPC bookkeeping (<c>_rels/</c>, <c>package/</c>, <c>[Content_Types].xml</c>).</summary>
    public IReadOnlyList<string> ContentEntries =>
        Entries.Where(e => !e.StartsWith("_rels/", StringComparison.Ordinal)
                           && !e.StartsWith("package/", StringComparison.Ordinal)
                           && e != "[Content_Types].xml")
            .ToArray();

    public string Listing => string.Join("\n", Entries);

    public byte[] ReadBytes(string entryName)
    {
        var entry = _archive.GetEntry(entryName)
            ?? throw new InvalidOperationException($"The package has no entry '{entryName}'. It holds:\n{Listing}");
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>The one <c>.nuspec</c> at the package root.</summary>
    public XElement ReadNuspec()
    {
        var nuspecs = Entries.Where(e => !e.Contains('/', StringComparison.Ordinal) && e.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (nuspecs.Length != 1)
        {
            throw new InvalidOperationException($"Expected one .nuspec at the package root, found {nuspecs.Length}. The package holds:\n{Listing}");
        }

        using var stream = new MemoryStream(ReadBytes(nuspecs[0]));
        return XDocument.Load(stream).Root!;
    }

    public void Dispose() => _archive.Dispose();
}

/// <summary>Namespace-agnostic navigation of a nuspec (its XML namespace changes with the schema version).</summary>
internal static class NuspecExtensions
{
    public static XElement? Child(this XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    public static IEnumerable<XElement> Children(this XElement element, string localName) =>
        element.Elements().Where(e => e.Name.LocalName == localName);

    public static XElement Metadata(this XElement nuspec) =>
        nuspec.Child("metadata") ?? throw new InvalidOperationException("The nuspec has no <metadata>:\n" + nuspec);
}
