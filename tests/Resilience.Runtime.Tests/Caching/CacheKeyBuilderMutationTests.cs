using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

/// <summary>Scenarios mutation testing found untested: long parts that outgrow the buffer, odd formattable types, other stores.</summary>
public sealed class CacheKeyBuilderMutationTests
{
    [Fact]
    public void A_long_value_followed_by_a_long_literal_is_written_whole()
    {
        string value = new('v', 200);
        string key = CacheKeyBuilder.Build($"{value}{new string('l', 1) + ""}LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL");
        Assert.Equal("\"" + value + "\"\"l\"" + new string('L', 71), key);
    }

    [Fact]
    public void A_type_name_longer_than_the_buffer_is_written_whole()
    {
        Type type = typeof(Dictionary<List<Dictionary<string, List<Dictionary<int, string>>>>, Dictionary<string, List<Dictionary<long, string>>>>);
        Assert.True(type.ToString().Length > 200);
        Assert.Equal("M(" + type + ")", CacheKeyBuilder.Build($"M({type})"));
    }

    [Fact]
    public void A_span_formattable_value_full_of_quotes_is_escaped_whole()
    {
        var quotes = new Quotes(100);
        Assert.Equal("M(\"" + string.Concat(Enumerable.Repeat("\\\"", 100)) + "\")", CacheKeyBuilder.Build($"M({quotes})"));
        Assert.Equal(CacheKeyBuilder.Build($"M({quotes})"), CacheKey.Of("M", quotes).ToString());
    }

    [Fact]
    public void Formattable_values_that_are_not_span_formattable_and_null_texts_are_written()
    {
        var formattable = new OnlyFormattable();
        var nothing = new NullText();
        Assert.Equal("M(\"f:invariant\", \"\")", CacheKeyBuilder.Build($"M({formattable}, {nothing})"));
        Assert.Equal("M(\"f:invariant\", \"\")", CacheKey.Of("M", formattable, nothing).ToString());
    }

    [Fact]
    public void The_text_so_far_is_shown_for_a_debugger()
    {
        var builder = new CacheKeyBuilder(2, 1);
        builder.AppendLiteral("M(");
        builder.AppendFormatted("a");
        Assert.Equal("M(\"a\"", builder.ToString());
        Assert.Equal("M(\"a\"", builder.ToStringAndClear());
        Assert.Equal(string.Empty, builder.ToString());
    }

    [Fact]
    public void A_store_that_keeps_text_gets_the_keys_text_and_answers_by_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TextStore();
        var strategy = new CacheFallbackStrategy("s", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(10) }, store, time);
        CacheKey key = CacheKey.Of("Shop.IRates.GetAsync", "EUR", 3);

        Assert.False(strategy.TryGetFresh(key, out int _));
        strategy.Store(key, 42);
        Assert.Equal("Shop.IRates.GetAsync(\"EUR\", \"3\")", Assert.Single(store.Entries.Keys));
        Assert.True(strategy.TryGetFresh(key, out int fresh));
        Assert.Equal(42, fresh);
        Assert.False(strategy.TryGetFresh(key, out string? _));
        Assert.True(strategy.TryGetStale(key, new TimeoutException(), CancellationToken.None, out int stale));
        Assert.Equal(42, stale);
    }

    [Fact]
    public void A_stale_entry_is_not_served_at_the_instant_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TextStore();
        var strategy = new CacheFallbackStrategy("s", new CacheFallbackOptions { Ttl = TimeSpan.Zero, StaleTtl = TimeSpan.FromSeconds(10) }, store, time);
        strategy.Store("k", 7);
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int value));
        Assert.Equal(7, value);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.False(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _)); // the store still has it
        Assert.True(store.Entries.ContainsKey("k"));
    }

    /// <summary>Keeps every entry by its text and never drops one (so only the strategy decides what is stale).</summary>
    private sealed class TextStore : ICacheFallbackStore
    {
        public Dictionary<string, CacheFallbackEntry> Entries { get; } = new(StringComparer.Ordinal);

        public bool TryGet(string key, out CacheFallbackEntry entry) => Entries.TryGetValue(key, out entry);

        public void Set(string key, CacheFallbackEntry entry) => Entries[key] = entry;
    }

    private readonly struct Quotes(int count) : ISpanFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) => new('"', count);

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            if (destination.Length < count)
            {
                charsWritten = 0;
                return false;
            }

            destination[..count].Fill('"');
            charsWritten = count;
            return true;
        }
    }

    private sealed class OnlyFormattable : IFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider)
            => "f:" + (ReferenceEquals(formatProvider, CultureInfo.InvariantCulture) ? "invariant" : "other");
    }

    private sealed class NullText
    {
        public override string? ToString() => null;
    }
}
