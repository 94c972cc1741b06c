using System.Text;
using BenchmarkDotNet.Loggers;
using Xunit.Abstractions;

namespace Resilience.Benchmarks.Tests;

/// <summary>Sends BenchmarkDotNet's log to the xUnit test output, one line at a time.</summary>
internal sealed class XunitBenchmarkLogger(ITestOutputHelper output) : ILogger
{
    private readonly StringBuilder _line = new();

    public string Id => nameof(XunitBenchmarkLogger);

    public int Priority => 0;

    public void Write(LogKind logKind, string text) => _line.Append(text);

    public void WriteLine() => Flush();

    public void WriteLine(LogKind logKind, string text)
    {
        _line.Append(text);
        Flush();
    }

    public void Flush()
    {
        if (_line.Length == 0)
        {
            return;
        }

        output.WriteLine(_line.ToString());
        _line.Clear();
    }
}
