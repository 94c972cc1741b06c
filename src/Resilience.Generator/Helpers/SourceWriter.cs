using System;
using System.Collections.Generic;
using System.Text;

namespace Resilience.Generator.Helpers;

/// <summary>Writes C# source with indentation, braces and line endings ('\n') handled in one place.</summary>
internal sealed class SourceWriter
{
    /// <summary>
    /// One level of indentation: a tab. Roslyn parses every generated character on every run, and with four spaces a
    /// level the indentation was over 40 % of a decorator's text; a tab keeps it under 15 %.
    /// </summary>
    private const char IndentUnit = '\t';

    /// <summary>The columns a level counts for when a line's length is measured (a tab shown four columns wide).</summary>
    public const int IndentColumns = 4;
    private readonly StringBuilder _builder = new();
    private int _indent;

    public int Indent => _indent;

    /// <summary>
    /// Writes one line at the current indentation; an empty line stays empty. A line longer than
    /// <see cref="LineWrapper.MaxLength"/> is split where <see cref="LineWrapper"/> can, continuation lines one level deeper.
    /// </summary>
    public SourceWriter Line(string text = "")
    {
        Write(text, _indent);
        return this;
    }

    private void Write(string text, int indent)
    {
        if (text.Length > 0 && (indent * IndentColumns) + text.Length > LineWrapper.MaxLength)
        {
            var pieces = LineWrapper.Split(text, LineWrapper.MaxLength - (indent * IndentColumns));
            if (pieces.Count > 1)
            {
                foreach (var (extra, piece) in pieces)
                {
                    Write(piece, indent + extra);
                }

                return;
            }
        }

        if (text.Length > 0)
        {
            _builder.Append(IndentUnit, indent);

            _builder.Append(text);
        }

        _builder.Append('\n');
    }

    /// <summary>Writes a line without indentation (for preprocessor directives).</summary>
    public SourceWriter RawLine(string text)
    {
        _builder.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes each line one level deeper than the current indentation (constraints, expression bodies).</summary>
    public SourceWriter IndentedLines(IEnumerable<string> lines)
    {
        _indent++;
        foreach (var line in lines)
        {
            Line(line);
        }

        _indent--;
        return this;
    }

    /// <summary>Writes '{' and indents.</summary>
    public SourceWriter OpenBrace()
    {
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes '}' followed by <paramref name="suffix"/>.</summary>
    public SourceWriter CloseBrace(string suffix = "")
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("Unbalanced braces in generated source.");
        }

        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and opens a block.</summary>
    public SourceWriter Block(string header)
    {
        Line(header);
        return OpenBrace();
    }

    public override string ToString() => _builder.ToString();
}
