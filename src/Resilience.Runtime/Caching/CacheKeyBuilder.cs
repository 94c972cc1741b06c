using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// Builds an unambiguous <c>[CacheFallback]</c> key from an interpolated string, for generated code:
/// <c>CacheKeyBuilder.Build($"Shop.IRates.GetRatesAsync({baseCurrency}, {day})")</c> gives
/// <c>Shop.IRates.GetRatesAsync("EUR", "2024-05-01")</c>.
/// </summary>
/// <remarks>
/// <para>
/// The literal text is written as it is. Every interpolated value is one part: <see langword="null"/> is written
/// <c>null</c>; anything else in double quotes, with <c>"</c> and <c>\</c> inside escaped as <c>\"</c> and <c>\\</c>,
/// so that <c>("a, b", "c")</c> and <c>("a", "b, c")</c> differ, and so do <see langword="null"/> and <c>""</c>. A
/// <see cref="Type"/> (a closed type argument, <c>{typeof(T)}</c>) is written unquoted as its
/// <see cref="Type.ToString"/>, e.g. <c>Shop.Customer</c>.
/// </para>
/// <para>
/// Values are formatted with the invariant culture; <see cref="DateTime"/>, <see cref="DateTimeOffset"/>,
/// <see cref="DateOnly"/> and <see cref="TimeOnly"/> with the round-trip format <c>"O"</c> (no precision is lost);
/// other <see cref="IFormattable"/> values with their default format; everything else with <see cref="object.ToString"/>.
/// </para>
/// <para>
/// The text is built in a buffer from <see cref="ArrayPool{T}.Shared"/> and values that implement
/// <see cref="ISpanFormattable"/> are written into it directly: the only allocation is the key string itself (plus
/// whatever a value's own <c>ToString</c> allocates).
/// </para>
/// </remarks>
[InterpolatedStringHandler]
public ref struct CacheKeyBuilder
{
    private const int GuessedPartLength = 16;
    private char[] _buffer;
    private int _length;

    /// <summary>Starts a key; called by the compiler for an interpolated string argument of <see cref="Build"/>.</summary>
    /// <param name="literalLength">The number of literal characters.</param>
    /// <param name="formattedCount">The number of interpolated values.</param>
    public CacheKeyBuilder(int literalLength, int formattedCount)
    {
        _buffer = ArrayPool<char>.Shared.Rent(Math.Max(64, literalLength + (formattedCount * GuessedPartLength)));
        _length = 0;
    }

    /// <summary>Returns the key written by the interpolated string.</summary>
    /// <param name="builder">The interpolated string, e.g. <c>$"Shop.IRates.GetRatesAsync({baseCurrency})"</c>.</param>
    public static string Build(ref CacheKeyBuilder builder) => builder.ToStringAndClear();

    /// <summary>Writes literal text as it is.</summary>
    /// <param name="value">The text.</param>
    public void AppendLiteral(string value) => AppendRaw(value.AsSpan());

    /// <summary>Writes a type unquoted, as its <see cref="Type.ToString"/> (or <c>null</c>).</summary>
    /// <param name="type">The type, usually <c>typeof(T)</c> of a type parameter.</param>
    public void AppendFormatted(Type? type) => AppendRaw(type is null ? "null" : type.ToString());

    /// <summary>Writes a string quoted and escaped, or <c>null</c>.</summary>
    /// <param name="value">The string.</param>
    public void AppendFormatted(string? value)
    {
        if (value is null)
        {
            AppendRaw("null");
            return;
        }

        AppendChar('"');
        AppendEscaped(value.AsSpan());
        AppendChar('"');
    }

    /// <summary>Writes a value quoted and escaped, formatted with the invariant culture, or <c>null</c>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <remarks>Optimized from the first call: only optimized code avoids boxing a value type for the interface checks.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AppendFormatted<T>(T value)
    {
        if (value is null)
        {
            AppendRaw("null");
            return;
        }

        AppendChar('"');
        if (value is IFormattable)
        {
            var format = value is DateTime or DateTimeOffset or DateOnly or TimeOnly ? "O" : null;
            if (value is ISpanFormattable)
            {
                var start = _length;
                int written;
                while (!((ISpanFormattable)value).TryFormat(_buffer.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
                {
                    Grow(_buffer.Length);
                }

                _length += written;
                EscapeWritten(start);
            }
            else
            {
                AppendEscaped(((IFormattable)value).ToString(format, CultureInfo.InvariantCulture).AsSpan());
            }
        }
        else
        {
            AppendEscaped((value.ToString() ?? string.Empty).AsSpan());
        }

        AppendChar('"');
    }

    /// <summary>Returns the key and gives the buffer back to the pool; the builder must not be used afterwards.</summary>
    public string ToStringAndClear()
    {
        var key = new string(_buffer, 0, _length);
        var buffer = _buffer;
        this = default;
        if (buffer is not null)
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return key;
    }

    /// <summary>The key written so far (for a debugger); use <see cref="ToStringAndClear"/> to finish.</summary>
    public override readonly string ToString() => _buffer is null ? string.Empty : new string(_buffer, 0, _length);

    private void AppendChar(char value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = value;
    }

    private void AppendRaw(ReadOnlySpan<char> value)
    {
        if (_length + value.Length > _buffer.Length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    private void AppendEscaped(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                AppendChar('\\');
            }

            AppendChar(c);
        }
    }

    /// <summary>Escapes, in place, what a value formatted itself into <c>[start, _length)</c>.</summary>
    private void EscapeWritten(int start)
    {
        var extra = 0;
        for (var i = start; i < _length; i++)
        {
            if (_buffer[i] is '"' or '\\')
            {
                extra++;
            }
        }

        if (extra == 0)
        {
            return;
        }

        if (_length + extra > _buffer.Length)
        {
            Grow(extra);
        }

        // From the end backwards, so that nothing is overwritten before it is moved.
        var target = _length + extra - 1;
        for (var i = _length - 1; i >= start; i--)
        {
            var c = _buffer[i];
            _buffer[target--] = c;
            if (c is '"' or '\\')
            {
                _buffer[target--] = '\\';
            }
        }

        _length += extra;
    }

    private void Grow(int additional)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + additional));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
