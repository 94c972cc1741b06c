using System.Globalization;
using CsCheck;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

/// <summary>
/// <see cref="CacheKey"/> is exactly as distinct as the documented text (the one <see cref="CacheKeyBuilder"/> writes):
/// two keys are equal iff their texts are, equal keys hash alike, and a key equals the key made from its text.
/// </summary>
public sealed class CacheKeyTests
{
    private const ulong Seed = 20261203;
    private const int Cases = 20_000;

    public enum Color
    {
        Red,
        Green,
    }

    public enum Fruit : long
    {
        Red,
        Apple = 5,
    }

    [Flags]
    public enum Access : byte
    {
        None = 0,
        Read = 1,
        Write = 2,
    }

    [Fact]
    public void Two_argument_tuples_give_equal_keys_iff_their_texts_are_equal()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // "1,5": the key must not follow it
        try
        {
            Gen<(string Prefix, Arg[] Args)> keys = Gen.Select(Gen.OneOf("M", "M", "N", "M(\"a\")"), Arg.Gen.Array[0, 4]);
            int equal = 0;
            for (var i = 0; i < Cases; i++)
            {
                var pcg = new PCG(1, (Seed * 1_000_003UL) + (ulong)i);
                (string prefixA, Arg[] a) = keys.Generate(pcg, null, out _);
                (string prefixB, Arg[] b) = keys.Generate(pcg, null, out _);
                if (i % 3 == 0)
                {
                    // Often the same shape, so that equal texts are common.
                    prefixB = prefixA;
                    b = b.Length >= a.Length ? b[..a.Length] : [.. b, .. a[b.Length..]];
                }

                string textA = Arg.Text(prefixA, a);
                string textB = Arg.Text(prefixB, b);
                CacheKey keyA = Arg.Key(prefixA, a);
                CacheKey keyB = Arg.Key(prefixB, b);

                Assert.Equal(textA, keyA.ToString());
                Assert.Equal(textB, keyB.ToString());
                bool same = string.Equals(textA, textB, StringComparison.Ordinal);
                Assert.True(same == keyA.Equals(keyB), $"case {i}: {textA} vs {textB}: texts equal {same}, keys equal {!same}");
                Assert.Equal(same, keyB.Equals(keyA));
                Assert.Equal(same, keyA == keyB);
                Assert.Equal(same, keyA.SameText(keyB)); // also where the hashes would not have told them apart
                Assert.Equal(same, CacheKey.FromText(textA).SameText(keyB));
                Assert.Equal(!same, keyA != keyB);
                Assert.Equal(textA.GetHashCode(), keyA.GetHashCode());
                Assert.True(CacheKey.FromText(textA).Equals(keyA));
                Assert.True(keyB.Equals(CacheKey.FromText(textB)));
                Assert.Equal(same, CacheKey.FromText(textA).Equals(keyB));
                equal += same ? 1 : 0;
            }

            // The property was tested on both sides.
            Assert.InRange(equal, Cases / 20, Cases - (Cases / 20));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Keys_are_written_as_CacheKeyBuilder_writes_them()
    {
        Guid tenant = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        Assert.Equal("Shop.IRates.GetRatesAsync(\"EUR\", \"3\")", CacheKey.Of("Shop.IRates.GetRatesAsync", "EUR", 3).ToString());
        Assert.Equal("M(null, \"\", \"a\\\"b\\\\\")", CacheKey.Of("M", (string?)null, string.Empty, "a\"b\\").ToString());
        Assert.Equal("M(\"Green\", \"Red\", \"Read, Write\", \"6f9619ff-8b86-d011-b42d-00cf4fc964ff\")", CacheKey.Of("M", Color.Green, Fruit.Red, Access.Read | Access.Write, tenant).ToString());
        Assert.Equal("M(\"1.5\", \"-0\", \"NaN\", \"True\")", CacheKey.Of("M", 1.5, -0.0, float.NaN, true).ToString());
        Assert.Equal("M(\"\\\"\", null, \"7\", System.Int32)", CacheKey.Of("M", '"', (int?)null, (int?)7, typeof(int)).ToString());
        Assert.Equal("M()", CacheKey.Of("M").ToString());
        Assert.Equal("M(\"12.5\", \"2024-05-01T10:30:00.0000000+00:00\")", CacheKey.Of("M", 12.5m, new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.Zero)).ToString());
        Assert.Equal(string.Empty, default(CacheKey).ToString());
        Assert.Equal(CacheKey.FromText(string.Empty), default);
        Assert.Equal(CacheKey.FromText(string.Empty).GetHashCode(), default(CacheKey).GetHashCode());
        Assert.NotEqual(default, CacheKey.Of(string.Empty));
    }

    [Fact]
    public void Enums_of_two_types_are_equal_only_when_their_names_are()
    {
        Assert.Equal(CacheKey.Of("M", Color.Red), CacheKey.Of("M", Fruit.Red));
        Assert.NotEqual(CacheKey.Of("M", Color.Green), CacheKey.Of("M", (Fruit)1));
        Assert.Equal(CacheKey.Of("M", (Fruit)1), CacheKey.Of("M", 1));
        Assert.NotEqual(CacheKey.Of("M", Color.Green), CacheKey.Of("M", 1));
        Assert.NotEqual(CacheKey.Of("M", Color.Red), CacheKey.Of("M", Color.Green));
    }

    [Fact]
    public void Numbers_of_two_types_with_one_text_are_one_key_and_every_NaN_is_NaN()
    {
        Assert.Equal(CacheKey.Of("M", 1), CacheKey.Of("M", 1L));
        Assert.Equal(CacheKey.Of("M", 1), CacheKey.Of("M", "1"));
        Assert.Equal(CacheKey.Of("M", 1.5f), CacheKey.Of("M", 1.5));
        Assert.NotEqual(CacheKey.Of("M", 0.0), CacheKey.Of("M", -0.0));
        double otherNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001);
        Assert.Equal(CacheKey.Of("M", double.NaN), CacheKey.Of("M", otherNaN));
        Assert.Equal(CacheKey.Of("M", double.NaN).GetHashCode(), CacheKey.Of("M", otherNaN).GetHashCode());
        Assert.Equal(CacheKey.Of("M", float.NaN), CacheKey.Of("M", BitConverter.Int32BitsToSingle(0x7FC0_0001)));
        Assert.NotEqual(CacheKey.Of("M", 1), CacheKey.Of("M", 2));
        Assert.NotEqual(CacheKey.Of("M", 1.5), CacheKey.Of("M", 2.5));
    }

    [Fact]
    public void Null_empty_and_the_word_null_are_three_keys()
    {
        CacheKey none = CacheKey.Of("M", (string?)null);
        Assert.NotEqual(none, CacheKey.Of("M", string.Empty));
        Assert.NotEqual(none, CacheKey.Of("M", "null"));
        Assert.Equal(none, CacheKey.Of("M", (int?)null));
        Assert.Equal(none, CacheKey.Of("M", (Type?)null));
        Assert.Equal(none, CacheKey.FromText("M(null)"));
        Assert.NotEqual(CacheKey.Of("M", "a, b", "c"), CacheKey.Of("M", "a", "b, c"));
    }

    [Fact]
    public void A_generic_methods_name_is_made_once_per_type_arguments()
    {
        CacheKey first = Closed<int>("1");
        CacheKey second = Closed<int>("1");
        Assert.Equal("Data.IRepository<TEntity>.GetAsync[System.Int32](\"1\")", first.ToString());
        Assert.Equal(first, second);
        Assert.NotEqual(first, Closed<long>("1"));
        Assert.Equal("Data.IRepository<TEntity>.GetAsync[System.Int64, System.String]()", CacheKey.Of($"Data.IRepository<TEntity>.GetAsync[{typeof(long)}, {typeof(string)}]").ToString());
        Assert.Equal(
            "G[System.Int32, System.Int64, System.String, System.Byte, System.Char](\"x\", \"2\")",
            CacheKey.Of($"G[{typeof(int)}, {typeof(long)}, {typeof(string)}, {typeof(byte)}, {typeof(char)}]", "x", 2).ToString());

        static CacheKey Closed<T>(string id) => CacheKey.Of($"Data.IRepository<TEntity>.GetAsync[{typeof(T)}]", id);
    }

    [Fact]
    public void Text_keys_equal_keys_made_from_arguments_with_that_text()
    {
        CacheKey text = CacheKey.FromText("M(\"a\", \"1\")");
        Assert.Equal(text, CacheKey.Of("M", "a", 1));
        Assert.Equal(text.GetHashCode(), CacheKey.Of("M", "a", 1).GetHashCode());
        Assert.NotEqual(text, CacheKey.FromText("M(\"a\", \"2\")"));
        Assert.True(text.Equals((object)CacheKey.Of("M", "a", 1)));
        Assert.False(text.Equals("M(\"a\", \"1\")"));
        Assert.Same("abc", CacheKey.FromText("abc").ToString());
        Assert.Throws<ArgumentNullException>(() => CacheKey.FromText(null!));
        Assert.Throws<ArgumentNullException>(() => CacheKey.Of(null!));
        Assert.Throws<ArgumentNullException>(() => CacheKey.Of(null!, 1));
        Assert.Throws<ArgumentNullException>(() => CacheKey.Of(null!, 1, 2));
        Assert.Throws<ArgumentNullException>(() => CacheKey.Of(null!, 1, 2, 3));
        Assert.Throws<ArgumentNullException>(() => CacheKey.Of(null!, 1, 2, 3, 4));
    }

    [Fact]
    public void Long_arguments_are_written_whole()
    {
        string longText = new('x', 1_000);
        string quoted = new('"', 300);
        CacheKey key = CacheKey.Of("M", longText, quoted);
        string expected = "M(\"" + longText + "\", \"" + string.Concat(Enumerable.Repeat("\\\"", 300)) + "\")";
        Assert.Equal(expected, key.ToString());
        Assert.Equal(expected.GetHashCode(), key.GetHashCode());
        Assert.Equal(key, CacheKey.FromText(expected));
        Assert.NotEqual(key, CacheKey.Of("M", longText, quoted[1..]));
    }

    [Fact]
    public void Other_values_are_written_with_their_own_escapes_kept_once()
    {
        var odd = new Odd("\\a\"b\\");
        CacheKey key = CacheKey.Of("M", odd, (object)odd, new Odd("plain"));
        Assert.Equal("M(\"\\\\a\\\"b\\\\\", \"\\\\a\\\"b\\\\\", \"plain\")", key.ToString());
        Assert.Equal(key, CacheKey.Of("M", "\\a\"b\\", "\\a\"b\\", "plain"));
        Assert.True(key.SameText(CacheKey.FromText(key.ToString())));
    }

    [Fact]
    public void Keys_of_every_length_around_the_stack_buffer_are_written_and_hashed_whole()
    {
        Guid tenant = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        for (var length = 90; length <= 300; length++)
        {
            string prefix = new('p', length);
            int number = 123_456_789;
            CacheKey key = CacheKey.Of(prefix, number, tenant, 2.5, 'q');
            string text = prefix + CacheKeyBuilder.Build($"({number}, {tenant}, {2.5}, {'q'})");
            Assert.Equal(text, key.ToString());
            Assert.Equal(text.GetHashCode(), key.GetHashCode());
            Assert.True(key.SameText(CacheKey.FromText(text)));
            Assert.False(key.SameText(CacheKey.Of(prefix, number, tenant, 2.5, 'r')));
        }
    }

    [Fact]
    public void Keys_with_one_text_made_differently_are_equal_and_others_are_not()
    {
        Assert.True(CacheKey.Of("M", Guid.Empty).SameText(CacheKey.Of("M", Guid.Empty)));
        Assert.False(CacheKey.Of("M", new Guid("00000000-0000-0000-0000-000000000001")).SameText(CacheKey.Of("M", Guid.Empty)));
        Assert.False(CacheKey.Of("M", double.NaN).SameText(CacheKey.Of("M", 1.5)));
        Assert.False(CacheKey.Of("M", 1.5).SameText(CacheKey.Of("M", double.NaN)));
        Assert.False(CacheKey.Of("M", (string?)null).SameText(CacheKey.Of("M", "a")));
        Assert.False(CacheKey.Of("M", "a").SameText(CacheKey.Of("M", (string?)null)));
        Assert.True(CacheKey.Of("M", (string?)null, 1).SameText(CacheKey.Of("M", (int?)null, 1L)));
        Assert.False(CacheKey.Of("M", 1, 2).SameText(CacheKey.Of("M", 1, 3)));
        Assert.False(CacheKey.Of("M", 1, 2).SameText(CacheKey.Of("M", 3, 2)));
        Assert.False(CacheKey.Of("M", 1, 2, 3).SameText(CacheKey.Of("M", 1, 2, 4)));
        Assert.False(CacheKey.Of("M", 1, 2, 3).SameText(CacheKey.Of("M", 9, 2, 3)));
        Assert.False(CacheKey.Of("M", 1, 2, 3, 4).SameText(CacheKey.Of("M", 1, 2, 3, 5)));
        Assert.False(CacheKey.Of("M", 1, 2, 3, 4).SameText(CacheKey.Of("M", 1, 9, 3, 4)));
        Assert.False(CacheKey.Of("M", 1, 2, 3, 4).SameText(CacheKey.Of("M", 9, 2, 3, 4)));
        Assert.True(CacheKey.Of("M", 1, 2, 3, 4).SameText(CacheKey.Of("M", 1L, "2", 3, 4)));
        Assert.False(CacheKey.Of("M", 1).SameText(CacheKey.Of("N", 1)));
        Assert.False(CacheKey.Of("M", 1).SameText(CacheKey.Of("M", 1, 1)));
        Assert.True(default(CacheKey).SameText(default));
        Assert.False(default(CacheKey).SameText(CacheKey.Of("M")));
        Assert.NotEqual(default, CacheKey.Of("M"));
    }

    [Fact]
    public void A_generic_name_is_one_string_per_call_site_and_type_arguments()
    {
        Assert.Same(Name<int, long, string, byte>(), Name<int, long, string, byte>());
        Assert.Equal("G[System.Int32, System.Int64, System.String, System.Byte]", Name<int, long, string, byte>());
        Assert.Equal("G[System.Int64, System.Int64, System.String, System.Byte]", Name<long, long, string, byte>());
        Assert.Equal("G[System.Int32, System.Int64, System.String, System.Byte](\"a\")", CacheKey.Of($"G[{typeof(int)}, {typeof(long)}, {typeof(string)}, {typeof(byte)}]", "a").ToString());
        Assert.Equal("G[System.Int32](\"a\", \"1\", \"2\")", CacheKey.Of($"G[{typeof(int)}]", "a", 1, 2).ToString());
        Assert.Equal("G[System.Int32](\"a\", \"1\", \"2\", \"3\")", CacheKey.Of($"G[{typeof(int)}]", "a", 1, 2, 3).ToString());

        static string Name<T1, T2, T3, T4>() => Resolve($"G[{typeof(T1)}, {typeof(T2)}, {typeof(T3)}, {typeof(T4)}]");
        static string Resolve(ref CacheKeyPrefix prefix) => prefix.Resolve();
    }

    /// <summary>A type with a value-based <c>ToString</c> that needs escaping.</summary>
    private sealed class Odd(string text)
    {
        public override string ToString() => text;
    }

    /// <summary>One key argument of a statically known type, as generated code passes it.</summary>
    public abstract class Arg
    {
        public static readonly Gen<Arg> Gen = CsCheck.Gen.OneOf(
            CsCheck.Gen.OneOf(null, "", "a", "a, b", "\"", "\\", "\\\"", "null", "1", "1.5", "-0", "NaN", "Red", "True", "5", "x\", \"y")
                .Select(s => (Arg)new Arg<string?>(s)),
            CsCheck.Gen.String[CsCheck.Gen.Char["ab1 ,\"\\.-"], 0, 6].Select(s => (Arg)new Arg<string>(s)),
            CsCheck.Gen.Int[-2, 6].Select(v => (Arg)new Arg<int>(v)),
            CsCheck.Gen.Long[-2, 6].Select(v => (Arg)new Arg<long>(v)),
            CsCheck.Gen.Int[-1, 6].Select(v => v < 0 ? new Arg<int?>(null) : (Arg)new Arg<int?>(v)),
            CsCheck.Gen.Byte[0, 6].Select(v => (Arg)new Arg<byte>(v)),
            CsCheck.Gen.Int[-2, 2].Select(v => (Arg)new Arg<nint>(v)),
            CsCheck.Gen.OneOf(0.0, -0.0, 1.5, 5, 1e21, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001), double.PositiveInfinity)
                .Select(v => (Arg)new Arg<double>(v)),
            CsCheck.Gen.OneOf(0f, -0f, 1.5f, 5f, float.NaN).Select(v => (Arg)new Arg<float>(v)),
            CsCheck.Gen.OneOf(1.5m, 1.50m, 5m, 0m).Select(v => (Arg)new Arg<decimal>(v)),
            CsCheck.Gen.Bool.Select(v => (Arg)new Arg<bool>(v)),
            CsCheck.Gen.OneOf('a', '"', '\\', '5', 'x').Select(v => (Arg)new Arg<char>(v)),
            CsCheck.Gen.Int[0, 6].Select(v => (Arg)new Arg<Color>((Color)v)),
            CsCheck.Gen.OneOf(Fruit.Red, Fruit.Apple, (Fruit)1).Select(v => (Arg)new Arg<Fruit>(v)),
            CsCheck.Gen.Byte[0, 4].Select(v => (Arg)new Arg<Access>((Access)v)),
            CsCheck.Gen.OneOf(Guid.Empty, Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff")).Select(v => (Arg)new Arg<Guid>(v)),
            CsCheck.Gen.OneOf<Type?>(typeof(int), typeof(string), null).Select(v => (Arg)new Arg<Type?>(v)),
            CsCheck.Gen.OneOf<object?>(null, 5, "a", Color.Red, 1.5, "null").Select(v => (Arg)new Arg<object?>(v)));

        /// <summary>The documented text: what <see cref="CacheKeyBuilder"/> writes for <c>$"{prefix}({a}, {b}, ...)"</c>.</summary>
        public static string Text(string prefix, Arg[] args)
        {
            var builder = new CacheKeyBuilder(prefix.Length, args.Length);
            builder.AppendLiteral(prefix + "(");
            for (var i = 0; i < args.Length; i++)
            {
                if (i > 0)
                {
                    builder.AppendLiteral(", ");
                }

                args[i].AppendTo(ref builder);
            }

            builder.AppendLiteral(")");
            return CacheKeyBuilder.Build(ref builder);
        }

        public static CacheKey Key(string prefix, Arg[] args) => args.Length == 0 ? CacheKey.Of(prefix) : args[0].First(prefix, args[1..]);

        public abstract void AppendTo(ref CacheKeyBuilder builder);

        public abstract CacheKey First(string prefix, Arg[] rest);

        public abstract CacheKey After<T1>(string prefix, T1 a, Arg[] rest);

        public abstract CacheKey After<T1, T2>(string prefix, T1 a, T2 b, Arg[] rest);

        public abstract CacheKey After<T1, T2, T3>(string prefix, T1 a, T2 b, T3 c);
    }

    public sealed class Arg<T>(T value) : Arg
    {
        public override void AppendTo(ref CacheKeyBuilder builder)
        {
            // As the compiler binds a hole of this static type in generated code.
            if (typeof(T) == typeof(Type))
            {
                builder.AppendFormatted((Type?)(object?)value);
            }
            else if (typeof(T) == typeof(string))
            {
                builder.AppendFormatted((string?)(object?)value);
            }
            else
            {
                builder.AppendFormatted(value);
            }
        }

        public override CacheKey First(string prefix, Arg[] rest) => rest.Length == 0 ? CacheKey.Of(prefix, value) : rest[0].After(prefix, value, rest[1..]);

        public override CacheKey After<T1>(string prefix, T1 a, Arg[] rest) => rest.Length == 0 ? CacheKey.Of(prefix, a, value) : rest[0].After(prefix, a, value, rest[1..]);

        public override CacheKey After<T1, T2>(string prefix, T1 a, T2 b, Arg[] rest) => rest.Length == 0 ? CacheKey.Of(prefix, a, b, value) : rest[0].After(prefix, a, b, value);

        public override CacheKey After<T1, T2, T3>(string prefix, T1 a, T2 b, T3 c) => CacheKey.Of(prefix, a, b, c, value);

        public override string ToString() => $"{typeof(T).Name} {value}";
    }
}
