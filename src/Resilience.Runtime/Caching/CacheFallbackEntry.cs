namespace Resilience;

/// <summary>A remembered result in an <see cref="ICacheFallbackStore"/>.</summary>
/// <param name="Value">The result.</param>
/// <param name="StoredAt">When the result was stored.</param>
/// <param name="FreshUntil">Until when the result is returned without calling.</param>
/// <param name="StaleUntil">Until when the result may answer a failed call; the store may drop it after this.</param>
public readonly record struct CacheFallbackEntry(object? Value, DateTimeOffset StoredAt, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil);
