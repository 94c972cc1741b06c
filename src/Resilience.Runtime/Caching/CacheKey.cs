using System.Buffers;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// A <c>[CacheFallback]</c> key that keeps the method's name and the key arguments as they are, for generated code:
/// <c>CacheKey.Of("Shop.IRates.GetRatesAsync", baseCurrency, page)</c> stands for the text
/// <c>Shop.IRates.GetRatesAsync("EUR", "3")</c>, the key <see cref="CacheKeyBuilder"/> writes, without writing it.
/// </summary>
/// <remarks>
/// <para>
/// Two keys are equal exactly when their texts (<see cref="ToString"/>) are equal, and equal keys have equal hash codes
/// (the hash of the text, as <see cref="string.GetHashCode()"/> computes it): a key made from arguments and a key made
/// from its text with <see cref="FromText"/> are the same key.
/// </para>
/// <para>
/// Making a key allocates nothing when every argument is a <see cref="bool"/>, <see cref="char"/>, an integer type
/// (<see cref="nint"/> and <see cref="nuint"/> included), <see cref="float"/>, <see cref="double"/>, a
/// <see cref="string"/>, an enum, a <see cref="Guid"/> or <see langword="null"/> (also as a
/// <see cref="Nullable{T}"/> of these value types other than enums): the key holds the values, and their text is
/// written into a stack buffer (128 characters; a longer text into one rented from <see cref="ArrayPool{T}.Shared"/>)
/// only to compute the hash. A <see cref="Type"/> is held too and written unquoted, as <see cref="CacheKeyBuilder"/>
/// writes a parameter declared as <see cref="Type"/>. Any other argument is formatted to its text when the key is
/// made, as <see cref="CacheKeyBuilder"/> formats it (that text is allocated). An enum's text comes from a table kept
/// per enum type (its first use of a value formats it once).
/// </para>
/// <para>
/// The text is made (and allocated) only when something asks for it: <see cref="ToString"/>, a store that keeps
/// text (<see cref="ICacheFallbackStore"/> other than <see cref="InMemoryCacheFallbackStore"/>), a log that includes
/// argument values.
/// </para>
/// </remarks>
public readonly struct CacheKey : IEquatable<CacheKey>
{
    /// <summary>The most arguments a key made by <c>Of</c> holds.</summary>
    public const int MaxArguments = 4;

    private const int TextCount = -1;
    private const int StackChars = 128;

    private readonly string? _prefix;
    private readonly int _count;
    private readonly int _hash;
    private readonly KeyPart _a0;
    private readonly KeyPart _a1;
    private readonly KeyPart _a2;
    private readonly KeyPart _a3;

    private CacheKey(string prefix, int count, in KeyPart a0, in KeyPart a1, in KeyPart a2, in KeyPart a3)
    {
        _prefix = prefix;
        _count = count;
        _a0 = a0;
        _a1 = a1;
        _a2 = a2;
        _a3 = a3;
        _hash = ComputeHash(this);
    }

    private CacheKey(string text)
    {
        _prefix = text;
        _count = TextCount;
        _hash = text.GetHashCode();
    }

    /// <summary>The key whose text is <paramref name="text"/> as it is.</summary>
    /// <param name="text">The whole key, e.g. <c>Shop.IRates.GetRatesAsync("EUR")</c>.</param>
    public static CacheKey FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new CacheKey(text);
    }

    /// <summary>The key of a call without key arguments: <c>{prefix}()</c>.</summary>
    /// <param name="prefix">The method's full name.</param>
    public static CacheKey Of(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new CacheKey(prefix, 0, default, default, default, default);
    }

    /// <summary>The key <c>{prefix}({a})</c>.</summary>
    /// <typeparam name="T1">The argument's type.</typeparam>
    /// <param name="prefix">The method's full name.</param>
    /// <param name="a">The key argument.</param>
    public static CacheKey Of<T1>(string prefix, T1 a)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new CacheKey(prefix, 1, KeyPart.From(a), default, default, default);
    }

    /// <summary>The key <c>{prefix}({a}, {b})</c>.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="prefix">The method's full name.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    public static CacheKey Of<T1, T2>(string prefix, T1 a, T2 b)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new CacheKey(prefix, 2, KeyPart.From(a), KeyPart.From(b), default, default);
    }

    /// <summary>The key <c>{prefix}({a}, {b}, {c})</c>.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <param name="prefix">The method's full name.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    /// <param name="c">The third key argument.</param>
    public static CacheKey Of<T1, T2, T3>(string prefix, T1 a, T2 b, T3 c)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new CacheKey(prefix, 3, KeyPart.From(a), KeyPart.From(b), KeyPart.From(c), default);
    }

    /// <summary>The key <c>{prefix}({a}, {b}, {c}, {d})</c>.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <param name="prefix">The method's full name.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    /// <param name="c">The third key argument.</param>
    /// <param name="d">The fourth key argument.</param>
    public static CacheKey Of<T1, T2, T3, T4>(string prefix, T1 a, T2 b, T3 c, T4 d)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new CacheKey(prefix, 4, KeyPart.From(a), KeyPart.From(b), KeyPart.From(c), KeyPart.From(d));
    }

    /// <summary>The key of a generic method without key arguments: <c>Of($"Data.IRepository&lt;TEntity&gt;.GetAsync[{typeof(TEntity)}]")</c>.</summary>
    /// <param name="prefix">The method's full name with its closed type arguments.</param>
    public static CacheKey Of(ref CacheKeyPrefix prefix) => Of(prefix.Resolve());

    /// <summary>The key of a generic method: <c>Of($"Data.IRepository&lt;TEntity&gt;.GetAsync[{typeof(TEntity)}]", id)</c>.</summary>
    /// <typeparam name="T1">The argument's type.</typeparam>
    /// <param name="prefix">The method's full name with its closed type arguments.</param>
    /// <param name="a">The key argument.</param>
    public static CacheKey Of<T1>(ref CacheKeyPrefix prefix, T1 a) => Of(prefix.Resolve(), a);

    /// <summary>The key of a generic method with two key arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="prefix">The method's full name with its closed type arguments.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    public static CacheKey Of<T1, T2>(ref CacheKeyPrefix prefix, T1 a, T2 b) => Of(prefix.Resolve(), a, b);

    /// <summary>The key of a generic method with three key arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <param name="prefix">The method's full name with its closed type arguments.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    /// <param name="c">The third key argument.</param>
    public static CacheKey Of<T1, T2, T3>(ref CacheKeyPrefix prefix, T1 a, T2 b, T3 c) => Of(prefix.Resolve(), a, b, c);

    /// <summary>The key of a generic method with four key arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <param name="prefix">The method's full name with its closed type arguments.</param>
    /// <param name="a">The first key argument.</param>
    /// <param name="b">The second key argument.</param>
    /// <param name="c">The third key argument.</param>
    /// <param name="d">The fourth key argument.</param>
    public static CacheKey Of<T1, T2, T3, T4>(ref CacheKeyPrefix prefix, T1 a, T2 b, T3 c, T4 d) => Of(prefix.Resolve(), a, b, c, d);

    /// <summary>Whether both keys have the same text.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    public static bool operator ==(CacheKey left, CacheKey right) => left.Equals(right);

    /// <summary>Whether the keys' texts differ.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    public static bool operator !=(CacheKey left, CacheKey right) => !left.Equals(right);

    /// <summary>Whether both keys have the same text (compared without writing it when both hold arguments of one method).</summary>
    /// <param name="other">The other key.</param>
    public bool Equals(CacheKey other) => (_hash == other._hash || _prefix is null || other._prefix is null) && SameText(other);

    /// <summary>Whether both keys have the same text; <see cref="Equals(CacheKey)"/> asks only when the hashes allow it.</summary>
    /// <param name="other">The other key.</param>
    internal bool SameText(in CacheKey other)
    {
        if (_count == TextCount && other._count == TextCount)
        {
            return string.Equals(_prefix, other._prefix, StringComparison.Ordinal);
        }

        if (_count != other._count || !string.Equals(_prefix, other._prefix, StringComparison.Ordinal))
        {
            // Made differently (text and arguments, two methods, default): compare the texts.
            return TextEquals(this, other);
        }

        // One name and as many arguments: the texts are equal exactly when each argument's text is.
        return _count switch
        {
            0 => true,
            1 => KeyPart.TextEquals(_a0, other._a0),
            2 => KeyPart.TextEquals(_a0, other._a0) && KeyPart.TextEquals(_a1, other._a1),
            3 => KeyPart.TextEquals(_a0, other._a0) && KeyPart.TextEquals(_a1, other._a1) && KeyPart.TextEquals(_a2, other._a2),
            _ => KeyPart.TextEquals(_a0, other._a0) && KeyPart.TextEquals(_a1, other._a1) && KeyPart.TextEquals(_a2, other._a2)
                && KeyPart.TextEquals(_a3, other._a3),
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

    /// <summary>The hash of the key's text: <c>ToString().GetHashCode()</c>, computed once, when the key was made.</summary>
    public override int GetHashCode() => _prefix is null ? string.Empty.GetHashCode() : _hash;

    /// <summary>The key's text (allocated, except for a key made with <see cref="FromText"/>).</summary>
    public override string ToString()
    {
        if (_count == TextCount || _prefix is null)
        {
            return _prefix ?? string.Empty;
        }

        var writer = new KeyWriter(stackalloc char[StackChars]);
        try
        {
            Write(this, ref writer);
            return writer.Written.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static int ComputeHash(in CacheKey key)
    {
        var writer = new KeyWriter(stackalloc char[StackChars]);
        try
        {
            Write(key, ref writer);
            return string.GetHashCode(writer.Written);
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static bool TextEquals(in CacheKey left, in CacheKey right)
    {
        var first = new KeyWriter(stackalloc char[StackChars]);
        var second = new KeyWriter(stackalloc char[StackChars]);
        try
        {
            Write(left, ref first);
            Write(right, ref second);
            return first.Written.SequenceEqual(second.Written);
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }
    }

    private static void Write(in CacheKey key, ref KeyWriter writer)
    {
        writer.Append(key._prefix);
        if (key._count == TextCount || key._prefix is null)
        {
            return;
        }

        writer.Append('(');
        for (var i = 0; i < key._count; i++)
        {
            if (i > 0)
            {
                writer.Append(", ");
            }

            key.Part(i).Write(ref writer);
        }

        writer.Append(')');
    }

    private KeyPart Part(int index) => index switch
    {
        0 => _a0,
        1 => _a1,
        2 => _a2,
        _ => _a3,
    };
}

/// <summary>
/// The name of a generic method with its closed type arguments, for generated code:
/// <c>$"Data.IRepository&lt;TEntity&gt;.GetAsync[{typeof(TEntity)}]"</c>. The text is made once per call site and type
/// arguments and then reused, so a call allocates nothing.
/// </summary>
[InterpolatedStringHandler]
public ref struct CacheKeyPrefix
{
    private const int MaxParts = 9;
    private const int MaxCached = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Parts, string> s_cache = new();

    private Parts _parts;

    /// <summary>Starts the name; called by the compiler.</summary>
    /// <param name="literalLength">The number of literal characters.</param>
    /// <param name="formattedCount">The number of type arguments.</param>
    public CacheKeyPrefix(int literalLength, int formattedCount) => _parts = default;

    /// <summary>Adds literal text.</summary>
    /// <param name="value">The text.</param>
    public void AppendLiteral(string value) => _parts.Add(value);

    /// <summary>Adds a type argument, written as its <see cref="Type.ToString"/>.</summary>
    /// <param name="type">The type, <c>typeof(T)</c>.</param>
    public void AppendFormatted(Type type) => _parts.Add(type);

    /// <summary>The name (the same string for the same call site and type arguments, up to 4 096 of them).</summary>
    internal readonly string Resolve()
    {
        if (_parts.Count > MaxParts)
        {
            return _parts.Overflow!;
        }

        if (s_cache.TryGetValue(_parts, out string? text))
        {
            return text;
        }

        text = _parts.Render();
        return s_cache.Count < MaxCached ? s_cache.GetOrAdd(_parts, text) : text;
    }

    /// <summary>The literal strings and types in order, compared by reference (literals are interned).</summary>
    private struct Parts : IEquatable<Parts>
    {
        public int Count;
        public string? Overflow;
        private object? _p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7, _p8;

        public void Add(object? part)
        {
            if (Count < MaxParts)
            {
                Set(Count, part);
            }
            else if (Count == MaxParts)
            {
                Overflow = Render() + Text(part);
            }
            else
            {
                Overflow += Text(part);
            }

            Count++;
        }

        public readonly string Render()
        {
            var text = string.Empty;
            for (var i = 0; i < Math.Min(Count, MaxParts); i++)
            {
                text += Text(Get(i));
            }

            return text;
        }

        public readonly bool Equals(Parts other)
        {
            if (Count != other.Count)
            {
                return false;
            }

            for (var i = 0; i < Count; i++)
            {
                if (!ReferenceEquals(Get(i), other.Get(i)))
                {
                    return false;
                }
            }

            return true;
        }

        public override readonly bool Equals(object? obj) => obj is Parts other && Equals(other);

        public override readonly int GetHashCode()
        {
            var hash = new HashCode();
            for (var i = 0; i < Count; i++)
            {
                hash.Add(RuntimeHelpers.GetHashCode(Get(i)));
            }

            return hash.ToHashCode();
        }

        private static string Text(object? part) => part as string ?? part!.ToString()!;

        private readonly object? Get(int index) => index switch
        {
            0 => _p0,
            1 => _p1,
            2 => _p2,
            3 => _p3,
            4 => _p4,
            5 => _p5,
            6 => _p6,
            7 => _p7,
            _ => _p8,
        };

        private void Set(int index, object? part)
        {
            switch (index)
            {
                case 0: _p0 = part; break;
                case 1: _p1 = part; break;
                case 2: _p2 = part; break;
                case 3: _p3 = part; break;
                case 4: _p4 = part; break;
                case 5: _p5 = part; break;
                case 6: _p6 = part; break;
                case 7: _p7 = part; break;
                default: _p8 = part; break;
            }
        }
    }
}

/// <summary>
/// One key argument: <see langword="null"/>; a <see cref="string"/> (written quoted and escaped); a <see cref="Type"/>
/// (written unquoted, as <see cref="CacheKeyBuilder"/> writes a type); or a value's bits with the
/// <see cref="KeyValueFormat"/> that writes and compares them.
/// </summary>
internal readonly struct KeyPart
{
    public readonly object? Ref;
    public readonly KeyBits Bits;

    private KeyPart(object? reference, KeyBits bits)
    {
        Ref = reference;
        Bits = bits;
    }

    public static KeyPart From<T>(T value)
    {
        if (typeof(T).IsValueType)
        {
            if (typeof(T) == typeof(int)) return Value(KeyValueFormat.Int32, value);
            if (typeof(T) == typeof(long)) return Value(KeyValueFormat.Int64, value);
            if (typeof(T) == typeof(bool)) return Value(KeyValueFormat.Boolean, value);
            if (typeof(T) == typeof(Guid)) return Value(KeyValueFormat.Guid, value);
            if (typeof(T) == typeof(double)) return Value(KeyValueFormat.Double, value);
            if (typeof(T) == typeof(char)) return Value(KeyValueFormat.Char, value);
            if (typeof(T) == typeof(uint)) return Value(KeyValueFormat.UInt32, value);
            if (typeof(T) == typeof(ulong)) return Value(KeyValueFormat.UInt64, value);
            if (typeof(T) == typeof(short)) return Value(KeyValueFormat.Int16, value);
            if (typeof(T) == typeof(ushort)) return Value(KeyValueFormat.UInt16, value);
            if (typeof(T) == typeof(byte)) return Value(KeyValueFormat.Byte, value);
            if (typeof(T) == typeof(sbyte)) return Value(KeyValueFormat.SByte, value);
            if (typeof(T) == typeof(float)) return Value(KeyValueFormat.Single, value);
            if (typeof(T) == typeof(nint)) return Value(KeyValueFormat.IntPtr, value);
            if (typeof(T) == typeof(nuint)) return Value(KeyValueFormat.UIntPtr, value);
            if (typeof(T) == typeof(int?)) return Nullable(KeyValueFormat.Int32, Unsafe.As<T, int?>(ref value));
            if (typeof(T) == typeof(long?)) return Nullable(KeyValueFormat.Int64, Unsafe.As<T, long?>(ref value));
            if (typeof(T) == typeof(bool?)) return Nullable(KeyValueFormat.Boolean, Unsafe.As<T, bool?>(ref value));
            if (typeof(T) == typeof(Guid?)) return Nullable(KeyValueFormat.Guid, Unsafe.As<T, Guid?>(ref value));
            if (typeof(T) == typeof(double?)) return Nullable(KeyValueFormat.Double, Unsafe.As<T, double?>(ref value));
            if (typeof(T) == typeof(char?)) return Nullable(KeyValueFormat.Char, Unsafe.As<T, char?>(ref value));
            if (typeof(T) == typeof(uint?)) return Nullable(KeyValueFormat.UInt32, Unsafe.As<T, uint?>(ref value));
            if (typeof(T) == typeof(ulong?)) return Nullable(KeyValueFormat.UInt64, Unsafe.As<T, ulong?>(ref value));
            if (typeof(T) == typeof(short?)) return Nullable(KeyValueFormat.Int16, Unsafe.As<T, short?>(ref value));
            if (typeof(T) == typeof(ushort?)) return Nullable(KeyValueFormat.UInt16, Unsafe.As<T, ushort?>(ref value));
            if (typeof(T) == typeof(byte?)) return Nullable(KeyValueFormat.Byte, Unsafe.As<T, byte?>(ref value));
            if (typeof(T) == typeof(sbyte?)) return Nullable(KeyValueFormat.SByte, Unsafe.As<T, sbyte?>(ref value));
            if (typeof(T) == typeof(float?)) return Nullable(KeyValueFormat.Single, Unsafe.As<T, float?>(ref value));
            if (typeof(T) == typeof(nint?)) return Nullable(KeyValueFormat.IntPtr, Unsafe.As<T, nint?>(ref value));
            if (typeof(T) == typeof(nuint?)) return Nullable(KeyValueFormat.UIntPtr, Unsafe.As<T, nuint?>(ref value));
            if (EnumFormat<T>.Instance is { } enumFormat) return Value(enumFormat, value);
        }
        else if (typeof(T) == typeof(string))
        {
            return new KeyPart(Unsafe.As<T, string?>(ref value), default);
        }
        else if (typeof(T) == typeof(Type))
        {
            // As CacheKeyBuilder writes a parameter declared as Type: unquoted.
            return new KeyPart(Unsafe.As<T, Type?>(ref value), default);
        }

        return Other(value);
    }

    /// <summary>Whether the two arguments are written the same (compared as values where their kinds allow).</summary>
    public static bool TextEquals(in KeyPart left, in KeyPart right)
    {
        object? a = left.Ref;
        object? b = right.Ref;
        if (a is string first && b is string second)
        {
            return string.Equals(first, second, StringComparison.Ordinal);
        }

        if (a is KeyValueFormat format && ReferenceEquals(a, b))
        {
            return format.BitsEqual(left.Bits, right.Bits);
        }

        if (a is null && b is null)
        {
            return true;
        }

        // Different kinds (an int and a long, enums of two types, null and a type named "null"): compare the texts.
        var x = new KeyWriter(stackalloc char[64]);
        var y = new KeyWriter(stackalloc char[64]);
        try
        {
            left.Write(ref x);
            right.Write(ref y);
            return x.Written.SequenceEqual(y.Written);
        }
        finally
        {
            x.Dispose();
            y.Dispose();
        }
    }

    public void Write(ref KeyWriter writer)
    {
        switch (Ref)
        {
            case null:
                writer.Append("null");
                break;
            case string text:
                writer.Append('"');
                writer.AppendEscaped(text);
                writer.Append('"');
                break;
            case Type type:
                writer.Append(type.ToString());
                break;
            default:
                writer.Append('"');
                ((KeyValueFormat)Ref).Write(Bits, ref writer);
                writer.Append('"');
                break;
        }
    }

    private static KeyPart Value<T>(KeyValueFormat format, T value)
    {
        KeyBits bits = default;
        Unsafe.As<KeyBits, T>(ref bits) = value;
        return new KeyPart(format, bits);
    }

    private static KeyPart Nullable<T>(KeyValueFormat format, T? value)
        where T : struct
        => value.HasValue ? Value(format, value.GetValueOrDefault()) : default;

    /// <summary>Any other value, formatted now as <see cref="CacheKeyBuilder"/> formats it (the text is allocated).</summary>
    private static KeyPart Other<T>(T value)
    {
        if (value is null)
        {
            return default;
        }

        if (value is string text)
        {
            return new KeyPart(text, default);
        }

        CacheKeyBuilder builder = new(0, 1);
        builder.AppendFormatted(value);
        string written = builder.ToStringAndClear();

        // The builder wrote the value quoted and escaped; keep it unescaped, so that it is written again the same way.
        return new KeyPart(Unescape(written.AsSpan(1, written.Length - 2)), default);
    }

    private static string Unescape(ReadOnlySpan<char> escaped)
    {
        if (escaped.IndexOf('\\') < 0)
        {
            return escaped.ToString();
        }

        var chars = new char[escaped.Length];
        var length = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            chars[length++] = escaped[i] == '\\' ? escaped[++i] : escaped[i];
        }

        return new string(chars, 0, length);
    }
}

/// <summary>The raw bytes of a key argument's value (at most 16: a <see cref="Guid"/>).</summary>
internal struct KeyBits
{
    public ulong Low;
    public ulong High;

    public readonly bool Equals(KeyBits other) => Low == other.Low && High == other.High;
}

/// <summary>Writes and compares the bits of one value type's key arguments.</summary>
internal abstract class KeyValueFormat
{
    public static readonly KeyValueFormat Boolean = new BooleanFormat();
    public static readonly KeyValueFormat Char = new CharFormat();
    public static readonly KeyValueFormat SByte = new NumberFormat<sbyte>();
    public static readonly KeyValueFormat Byte = new NumberFormat<byte>();
    public static readonly KeyValueFormat Int16 = new NumberFormat<short>();
    public static readonly KeyValueFormat UInt16 = new NumberFormat<ushort>();
    public static readonly KeyValueFormat Int32 = new NumberFormat<int>();
    public static readonly KeyValueFormat UInt32 = new NumberFormat<uint>();
    public static readonly KeyValueFormat Int64 = new NumberFormat<long>();
    public static readonly KeyValueFormat UInt64 = new NumberFormat<ulong>();
    public static readonly KeyValueFormat IntPtr = new NumberFormat<nint>();
    public static readonly KeyValueFormat UIntPtr = new NumberFormat<nuint>();
    public static readonly KeyValueFormat Single = new FloatingFormat<float>();
    public static readonly KeyValueFormat Double = new FloatingFormat<double>();
    public static readonly KeyValueFormat Guid = new NumberFormat<Guid>();

    /// <summary>Writes the value's text (unquoted; escaped).</summary>
    public abstract void Write(in KeyBits bits, ref KeyWriter writer);

    /// <summary>Whether two values of this type have the same text. Equal bits always do.</summary>
    public virtual bool BitsEqual(in KeyBits left, in KeyBits right) => left.Equals(right);

    protected static T Read<T>(in KeyBits bits) => Unsafe.As<KeyBits, T>(ref Unsafe.AsRef(in bits));

    private sealed class BooleanFormat : KeyValueFormat
    {
        // As bool.ToString(): bool is not IFormattable.
        public override void Write(in KeyBits bits, ref KeyWriter writer) => writer.Append(Read<byte>(bits) != 0 ? "True" : "False");

        public override bool BitsEqual(in KeyBits left, in KeyBits right) => (Read<byte>(left) != 0) == (Read<byte>(right) != 0);
    }

    private sealed class CharFormat : KeyValueFormat
    {
        public override void Write(in KeyBits bits, ref KeyWriter writer)
        {
            char value = Read<char>(bits);
            writer.AppendEscaped(new ReadOnlySpan<char>(in value));
        }
    }

    /// <summary>Integers and <see cref="System.Guid"/>: one text per value, written with the invariant culture.</summary>
    private class NumberFormat<T> : KeyValueFormat
        where T : struct, ISpanFormattable
    {
        public override void Write(in KeyBits bits, ref KeyWriter writer) => writer.AppendFormatted(Read<T>(bits));
    }

    /// <summary>
    /// <see cref="float"/> and <see cref="double"/>: the shortest text that reads back as the same value, so equal bits and
    /// equal texts coincide, except that every NaN is written <c>NaN</c>.
    /// </summary>
    private sealed class FloatingFormat<T> : NumberFormat<T>
        where T : struct, ISpanFormattable, System.Numerics.IFloatingPointIeee754<T>
    {
        public override bool BitsEqual(in KeyBits left, in KeyBits right)
            => left.Equals(right) || (T.IsNaN(Read<T>(left)) && T.IsNaN(Read<T>(right)));
    }
}

/// <summary>
/// The enum type <typeparamref name="T"/>'s texts (<see cref="Enum.ToString()"/>), each made once; one instance per
/// enum type (none for other types), so that arguments of two enum types are told apart.
/// </summary>
internal sealed class EnumFormat<T> : KeyValueFormat
{
    public static readonly EnumFormat<T>? Instance = typeof(T).IsEnum ? new EnumFormat<T>() : null;

    private const int MaxTexts = 1024;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, string> _texts = new();

    private EnumFormat()
    {
    }

    public override void Write(in KeyBits bits, ref KeyWriter writer)
    {
        if (!_texts.TryGetValue(bits.Low, out string? text))
        {
            text = Read<T>(bits)!.ToString()!;
            if (_texts.Count < MaxTexts)
            {
                _texts.TryAdd(bits.Low, text);
            }
        }

        writer.AppendEscaped(text);
    }
}

/// <summary>Writes a key's text into a stack buffer, growing into pooled arrays.</summary>
internal ref struct KeyWriter
{
    private Span<char> _chars;
    private char[]? _rented;
    private int _length;

    public KeyWriter(Span<char> initial)
    {
        _chars = initial;
        _rented = null;
        _length = 0;
    }

    public readonly ReadOnlySpan<char> Written => _chars[.._length];

    public void Append(char value)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<char> value)
    {
        if (_length + value.Length > _chars.Length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_chars[_length..]);
        _length += value.Length;
    }

    /// <summary>Writes <paramref name="value"/> with <c>"</c> and <c>\</c> escaped as <c>\"</c> and <c>\\</c>.</summary>
    public void AppendEscaped(scoped ReadOnlySpan<char> value)
    {
        int special;
        while ((special = value.IndexOfAny('"', '\\')) >= 0)
        {
            Append(value[..special]);
            Append('\\');
            Append(value[special]);
            value = value[(special + 1)..];
        }

        Append(value);
    }

    /// <summary>Writes a value with the invariant culture and its default format (unescaped: numbers and Guids need none).</summary>
    public void AppendFormatted<T>(T value)
        where T : ISpanFormattable
    {
        int written;
        while (!value.TryFormat(_chars[_length..], out written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            Grow(_chars.Length);
        }

        _length += written;
    }

    public void Dispose()
    {
        char[]? rented = _rented;
        this = default;
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void Grow(int additional)
    {
        char[] larger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + additional));
        _chars[.._length].CopyTo(larger);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
        }

        _rented = larger;
        _chars = larger;
    }
}
