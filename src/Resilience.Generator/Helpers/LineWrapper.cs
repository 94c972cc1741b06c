using System.Collections.Generic;

namespace Resilience.Generator.Helpers;

/// <summary>
/// Splits one generated line that is too long into shorter ones, the way a person would: an argument or parameter
/// list one item a line, a condition before its <c>&amp;&amp;</c> / <c>||</c>, otherwise after the last opening
/// parenthesis; a comment at a space. Strings, characters and comments are never split.
/// </summary>
internal static class LineWrapper
{
    /// <summary>The longest line the generator writes when it can help it (a single long name cannot be split).</summary>
    public const int MaxLength = 150;

    /// <summary>
    /// The pieces of <paramref name="text"/>, each with the indentation it needs beyond the original line's; a single
    /// piece when there is nothing to split at. <paramref name="width"/> is the room the line has after its indentation.
    /// </summary>
    public static List<(int Indent, string Text)> Split(string text, int width)
    {
        if (text.StartsWith("//", System.StringComparison.Ordinal))
        {
            return SplitComment(text, width);
        }

        var groups = FindGroups(text);
        Group? best = null;
        foreach (var separator in new[] { ",", "&&" })
        {
            foreach (var group in groups)
            {
                var parts = group.Separators(separator);
                if (parts.Count == 0)
                {
                    continue;
                }

                // The shallowest group with separators, the longest of those.
                if (best is null || group.Depth < best.Depth || (group.Depth == best.Depth && group.Length > best.Length))
                {
                    best = group;
                }
            }

            if (best is not null)
            {
                return SplitAt(text, best, best.Separators(separator), separator == ",");
            }
        }

        // Nothing to list: break after the last opening parenthesis at the shallowest depth that holds something.
        Group? last = null;
        foreach (var group in groups)
        {
            if (group.Length > 0 && group.Open == '(' && (last is null || group.Depth < last.Depth || (group.Depth == last.Depth && group.Start > last.Start)))
            {
                last = group;
            }
        }

        if (last is null)
        {
            return SplitAtSpace(text, width);
        }

        return new List<(int, string)>
        {
            (0, text.Substring(0, last.Start + 1)),
            (1, text.Substring(last.Start + 1)),
        };
    }

    /// <summary>One item a line: the head up to the opening bracket, then the items (a comma after each but the last).</summary>
    private static List<(int, string)> SplitAt(string text, Group group, List<int> separators, bool afterSeparator)
    {
        var pieces = new List<(int, string)> { (0, text.Substring(0, group.Start + 1).TrimEnd()) };
        var start = group.Start + 1;
        foreach (var separator in separators)
        {
            if (afterSeparator)
            {
                pieces.Add((1, text.Substring(start, separator + 1 - start).Trim()));
                start = separator + 1;
            }
            else
            {
                pieces.Add((1, text.Substring(start, separator - start).Trim()));
                start = separator;
            }
        }

        var tail = text.Substring(start, group.End - start).Trim();
        var rest = text.Substring(group.End);
        pieces.Add((1, group.Open == '{' ? tail + " " + rest.TrimStart() : tail + rest));
        return pieces;
    }

    /// <summary>
    /// A declaration with nothing left to list (<c>private async VeryLong&lt;Type&gt; Name(</c>): at its last space
    /// outside brackets and strings that fits, else its first.
    /// </summary>
    private static List<(int, string)> SplitAtSpace(string text, int width)
    {
        var cut = -1;
        var depth = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (c == '/' && text[i + 1] == '/')
            {
                break;
            }

            if (c == '"')
            {
                i = SkipString(text, i);
            }
            else if (c == '\'')
            {
                i = SkipChar(text, i);
            }
            else if (c is '(' or '[' or '{' || (c == '<' && i > 0 && IsIdentifierChar(text[i - 1])))
            {
                depth++;
            }
            else if (c is ')' or ']' or '}' || (c == '>' && depth > 0 && text[i - 1] != '='))
            {
                depth--;
            }
            else if (c == ' ' && depth == 0 && i > 0)
            {
                if (i > width && cut > 0)
                {
                    break;
                }

                cut = i;
            }
        }

        return cut <= 0
            ? SplitTypeOrString(text)
            : new List<(int, string)> { (0, text.Substring(0, cut)), (1, text.Substring(cut + 1)) };
    }

    /// <summary>
    /// The last resorts: a long generic type after its first <c>&lt;</c>
    /// (<c>ValueTask&lt;</c> / <c>Task&lt;LongName&gt;&gt;</c>), else a long regular string literal at a space in its
    /// middle, as two literals joined with <c>+</c> (still a constant), or a long interpolated one at a space of its
    /// text, as two interpolated strings joined with <c>+</c>.
    /// </summary>
    private static List<(int, string)> SplitTypeOrString(string text)
    {
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (text[i] == '"' || text[i] == '\'' || (text[i] == '/' && text[i + 1] == '/'))
            {
                break;
            }

            if (i > 0 && text[i] == '<' && IsIdentifierChar(text[i - 1]))
            {
                return new List<(int, string)> { (0, text.Substring(0, i + 1)), (1, text.Substring(i + 1)) };
            }
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                break;
            }

            if (text[i] == '\'')
            {
                i = SkipChar(text, i);
                continue;
            }

            if (text[i] != '"')
            {
                continue;
            }

            var end = SkipString(text, i);
            var regular = i == 0 || (text[i - 1] != '@' && text[i - 1] != '$');
            var interpolated = i > 0 && text[i - 1] == '$' && (i == 1 || text[i - 2] != '@');
            if ((regular || interpolated) && end - i > 40 && end < text.Length)
            {
                var space = regular ? text.LastIndexOf(' ', i + ((end - i) / 2)) : SpaceOutsideHoles(text, i, end);
                if (space > i + 1)
                {
                    return new List<(int, string)>
                    {
                        (0, text.Substring(0, space + 1) + "\" +"),
                        (1, (interpolated ? "$\"" : "\"") + text.Substring(space + 1)),
                    };
                }
            }

            i = end;
        }

        return new List<(int, string)> { (0, text) };
    }

    /// <summary>
    /// In the interpolated string <c>$"..."</c> from <paramref name="start"/> to <paramref name="end"/>, the last space of
    /// its text (outside holes) before the middle, else the first after it; -1 when there is none. A generic
    /// interface's cache key (<c>$"N.IRepo&lt;T&gt;.Get(A, B)[{typeof(T)}]"</c>) is one.
    /// </summary>
    private static int SpaceOutsideHoles(string text, int start, int end)
    {
        var middle = start + ((end - start) / 2);
        var before = -1;
        var holes = 0;
        for (var i = start + 1; i < end; i++)
        {
            var c = text[i];
            if (holes == 0 && c == '\\')
            {
                i++;
            }
            else if ((c == '{' || c == '}') && holes == 0 && i + 1 < end && text[i + 1] == c)
            {
                i++;
            }
            else if (c == '{')
            {
                holes++;
            }
            else if (c == '}')
            {
                holes--;
            }
            else if (c == ' ' && holes == 0)
            {
                if (i > middle)
                {
                    return before > 0 ? before : i;
                }

                before = i;
            }
        }

        return before;
    }

    /// <summary>A comment at its last space that fits (outside an XML tag), the rest on a new comment line.</summary>
    private static List<(int, string)> SplitComment(string text, int width)
    {
        var prefix = text.StartsWith("///", System.StringComparison.Ordinal) ? "/// " : "// ";
        var cut = -1;
        var inTag = false;
        for (var i = prefix.Length; i < text.Length - 1; i++)
        {
            inTag = text[i] == '<' || (inTag && text[i] != '>');
            if (text[i] == ' ' && !inTag)
            {
                if (i > width && cut > 0)
                {
                    break;
                }

                cut = i;
            }
        }

        return cut <= prefix.Length
            ? new List<(int, string)> { (0, text) }
            : new List<(int, string)> { (0, text.Substring(0, cut)), (0, prefix + text.Substring(cut + 1)) };
    }

    /// <summary>Every bracketed group — <c>( )</c>, <c>[ ]</c>, <c>{ }</c>, and <c>&lt; &gt;</c> of a type argument list — outside strings and comments.</summary>
    private static List<Group> FindGroups(string text)
    {
        var groups = new List<Group>();
        var open = new Stack<Group>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"':
                    i = SkipString(text, i);
                    break;
                case '\'':
                    i = SkipChar(text, i);
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    i = text.Length;
                    break;
                case '(' or '[' or '{':
                    open.Push(new Group(text, c, i, open.Count));
                    break;
                case '<' when i > 0 && IsIdentifierChar(text[i - 1]):
                    open.Push(new Group(text, c, i, open.Count));
                    break;
                case ')' or ']' or '}' or '>':
                    if (open.Count > 0 && open.Peek().Open == Opening(c) && !(c == '>' && text[i - 1] == '='))
                    {
                        var group = open.Pop();
                        group.End = i;
                        groups.Add(group);
                    }

                    break;
            }
        }

        // Angle brackets group commas (so a type argument list is not split) but are never split themselves.
        groups.RemoveAll(g => g.End == 0);
        return groups;
    }

    private static char Opening(char close) => close switch
    {
        ')' => '(',
        ']' => '[',
        '}' => '{',
        _ => '<',
    };

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>The index of the closing quote of the string starting at <paramref name="start"/> (regular, verbatim or interpolated).</summary>
    private static int SkipString(string text, int start)
    {
        var verbatim = start > 0 && text[start - 1] == '@' || start > 1 && text[start - 1] == '$' && text[start - 2] == '@';
        var interpolated = start > 0 && text[start - 1] == '$' || start > 1 && text[start - 2] == '$';
        var holes = 0;
        for (var i = start + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (holes > 0)
            {
                if (c == '"')
                {
                    i = SkipString(text, i);
                }
                else if (c == '{')
                {
                    holes++;
                }
                else if (c == '}')
                {
                    holes--;
                }

                continue;
            }

            if (c == '\\' && !verbatim)
            {
                i++;
            }
            else if (c == '"')
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == '"')
                {
                    i++;
                    continue;
                }

                return i;
            }
            else if (interpolated && c == '{')
            {
                if (i + 1 < text.Length && text[i + 1] == '{')
                {
                    i++;
                }
                else
                {
                    holes++;
                }
            }
        }

        return text.Length;
    }

    private static int SkipChar(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '\'')
            {
                return i;
            }
        }

        return text.Length;
    }

    private sealed class Group
    {
        private readonly string _text;

        public Group(string text, char open, int start, int depth)
        {
            _text = text;
            Open = open;
            Start = start;
            Depth = depth;
        }

        public char Open { get; }

        public int Start { get; }

        public int End { get; set; }

        public int Depth { get; }

        public int Length => End - Start - 1;

        /// <summary>
        /// Positions of <paramref name="separator"/> directly inside this group (not in a nested one, a string or a type
        /// argument list); for <c>&amp;&amp;</c>, of <c>||</c> too.
        /// </summary>
        public List<int> Separators(string separator)
        {
            var found = new List<int>();
            if (Open == '<')
            {
                return found;
            }

            var depth = 0;
            for (var i = Start + 1; i < End; i++)
            {
                var c = _text[i];
                switch (c)
                {
                    case '"':
                        i = SkipString(_text, i);
                        break;
                    case '\'':
                        i = SkipChar(_text, i);
                        break;
                    case '(' or '[' or '{':
                        depth++;
                        break;
                    case '<' when i > 0 && IsIdentifierChar(_text[i - 1]):
                        depth++;
                        break;
                    case ')' or ']' or '}':
                        depth--;
                        break;
                    case '>' when depth > 0 && _text[i - 1] != '=':
                        depth--;
                        break;
                    default:
                        if (depth == 0 && (Matches(i, separator) || (separator == "&&" && Matches(i, "||"))))
                        {
                            found.Add(i);
                        }

                        break;
                }
            }

            return found;
        }

        private bool Matches(int index, string separator) => string.CompareOrdinal(_text, index, separator, 0, separator.Length) == 0;
    }
}
