using System.Globalization;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

public sealed class CacheKeyBuilderTests
{
    [Fact]
    public void Literal_text_is_kept_and_each_value_is_quoted()
    {
        var currency = "EUR";
        var day = 3;

        Assert.Equal("Shop.IRates.GetRatesAsync(\"EUR\", \"3\")", CacheKeyBuilder.Build($"Shop.IRates.GetRatesAsync({currency}, {day})"));
    }

    [Fact]
    public void Values_containing_the_separator_do_not_collide()
    {
        string a = "a, b", b = "c", c = "a", d = "b, c";

        var first = CacheKeyBuilder.Build($"M({a}, {b})");
        var second = CacheKeyBuilder.Build($"M({c}, {d})");

        Assert.NotEqual(first, second);
        Assert.Equal("M(\"a, b\", \"c\")", first);
        Assert.Equal("M(\"a\", \"b, c\")", second);
    }

    [Fact]
    public void Null_and_empty_differ()
    {
        string? none = null;
        var empty = string.Empty;
        int? noNumber = null;
        object? noObject = null;

        Assert.Equal("M(null)", CacheKeyBuilder.Build($"M({none})"));
        Assert.Equal("M(\"\")", CacheKeyBuilder.Build($"M({empty})"));
        Assert.Equal("M(null)", CacheKeyBuilder.Build($"M({noNumber})"));
        Assert.Equal("M(null)", CacheKeyBuilder.Build($"M({noObject})"));
    }

    [Fact]
    public void Quotes_and_backslashes_inside_values_are_escaped_so_a_value_cannot_end_its_part_early()
    {
        string tricky = "x\", \"y", plain1 = "x", plain2 = "y", slash = "a\\";

        Assert.Equal("M(\"x\\\", \\\"y\")", CacheKeyBuilder.Build($"M({tricky})"));
        Assert.NotEqual(CacheKeyBuilder.Build($"M({tricky})"), CacheKeyBuilder.Build($"M({plain1}, {plain2})"));
        Assert.Equal("M(\"a\\\\\")", CacheKeyBuilder.Build($"M({slash})"));
    }

    [Fact]
    public void Span_formattable_values_that_write_quotes_are_escaped_too()
    {
        var value = new QuotingFormattable();

        Assert.Equal("M(\"say \\\"hi\\\" \\\\o/\")", CacheKeyBuilder.Build($"M({value})"));
    }

    [Fact]
    public void Values_are_formatted_with_the_invariant_culture_and_dates_without_losing_precision()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var amount = 1234.5m;
            var ratio = 0.1;
            var at = new DateTime(2024, 5, 1, 10, 30, 0, 123, DateTimeKind.Utc);
            var later = at.AddTicks(1);
            var offset = new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.FromHours(2));
            var day = new DateOnly(2024, 5, 1);
            var time = new TimeOnly(10, 30, 0, 5);
            var span = TimeSpan.FromMilliseconds(1500);
            var id = new Guid("6f9619ff-8b86-d011-b42d-00c04fc964ff");
            var color = ConsoleColor.DarkRed;
            var flag = true;

            Assert.Equal("M(\"1234.5\", \"0.1\")", CacheKeyBuilder.Build($"M({amount}, {ratio})"));
            Assert.Equal("M(\"2024-05-01T10:30:00.1230000Z\")", CacheKeyBuilder.Build($"M({at})"));
            Assert.NotEqual(CacheKeyBuilder.Build($"M({at})"), CacheKeyBuilder.Build($"M({later})"));
            Assert.Equal("M(\"2024-05-01T10:30:00.0000000+02:00\")", CacheKeyBuilder.Build($"M({offset})"));
            Assert.Equal("M(\"2024-05-01\", \"10:30:00.0050000\")", CacheKeyBuilder.Build($"M({day}, {time})"));
            Assert.Equal("M(\"00:00:01.5000000\")", CacheKeyBuilder.Build($"M({span})"));
            Assert.Equal("M(\"6f9619ff-8b86-d011-b42d-00c04fc964ff\", \"DarkRed\", \"True\")", CacheKeyBuilder.Build($"M({id}, {color}, {flag})"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Types_are_written_unquoted_so_closed_type_arguments_give_different_keys()
    {
        var id = "42";

        var customers = CacheKeyBuilder.Build($"Data.IRepository<TEntity>.GetAsync[{typeof(Customer)}]({id})");
        var orders = CacheKeyBuilder.Build($"Data.IRepository<TEntity>.GetAsync[{typeof(Order)}]({id})");

        Assert.Equal("Data.IRepository<TEntity>.GetAsync[Resilience.Runtime.Tests.Caching.CacheKeyBuilderTests+Customer](\"42\")", customers);
        Assert.NotEqual(customers, orders);
    }

    [Fact]
    public void Values_without_IFormattable_use_their_ToString_and_long_keys_grow_the_buffer()
    {
        var record = new Customer("Ada");
        var longText = new string('x', 5000);

        Assert.Equal("M(\"Customer { Name = Ada }\")", CacheKeyBuilder.Build($"M({record})"));
        var key = CacheKeyBuilder.Build($"M({longText}, {longText})");
        Assert.Equal("M(".Length + (2 * (5000 + 2)) + ", )".Length, key.Length);
        Assert.EndsWith("x\")", key, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_a_key_allocates_only_the_key_string()
    {
        var tenant = "contoso";
        var id = new Guid("6f9619ff-8b86-d011-b42d-00c04fc964ff");
        var page = 7;
        var at = new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.Zero);
        var expected = CacheKeyBuilder.Build($"Shop.IOrders.ListAsync({tenant}, {id}, {page}, {at})");

        // A string of n chars takes 22 + 2n bytes on 64-bit (rounded up to 8): nothing else is allocated.
        var stringSize = (22 + (2 * expected.Length) + 7) / 8 * 8;
        const int Calls = 100;
        var allocated = AllocationProbe.Least(
            () =>
            {
                for (var i = 0; i < Calls; i++)
                {
                    _ = CacheKeyBuilder.Build($"Shop.IOrders.ListAsync({tenant}, {id}, {page}, {at})");
                }
            },
            expected: (long)stringSize * Calls);

        var perCall = allocated / Calls;
        Assert.Equal(stringSize, perCall);
    }

    private sealed record Customer(string Name);

    private sealed record Order(string Number);

    private readonly struct QuotingFormattable : ISpanFormattable
    {
        private const string Text = "say \"hi\" \\o/";

        public string ToString(string? format, IFormatProvider? formatProvider) => Text;

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            charsWritten = 0;
            if (destination.Length < Text.Length)
            {
                return false;
            }

            Text.AsSpan().CopyTo(destination);
            charsWritten = Text.Length;
            return true;
        }
    }
}
