using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Resilience.Caching;

/// <summary>
/// The bytes of a shared entry: a format byte (1), the three times as UTC ticks (little-endian 64-bit:
/// stored, fresh until, stale until), then the value as UTF-8 JSON written with the user's source-generated metadata.
/// </summary>
internal static class EntrySerializer
{
    private const byte Format = 1;
    private const int HeaderLength = 1 + (3 * sizeof(long));

    public static byte[] Serialize<T>(CacheFallbackEntry entry, JsonTypeInfo<T> typeInfo)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes((T)entry.Value!, typeInfo);
        var bytes = new byte[HeaderLength + json.Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), entry.StoredAt.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(9), entry.FreshUntil.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(17), entry.StaleUntil.UtcTicks);
        json.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Reads an entry; <see langword="false"/> when the bytes are not an entry of this format or not a <typeparamref name="T"/>.</summary>
    public static bool TryDeserialize<T>(byte[] bytes, JsonTypeInfo<T> typeInfo, out CacheFallbackEntry entry)
    {
        entry = default;
        if (bytes.Length < HeaderLength || bytes[0] != Format)
        {
            return false;
        }

        if (!TryTime(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1)), out DateTimeOffset storedAt)
            || !TryTime(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)), out DateTimeOffset freshUntil)
            || !TryTime(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)), out DateTimeOffset staleUntil))
        {
            return false;
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(bytes.AsSpan(HeaderLength), typeInfo);
        }
        catch (JsonException)
        {
            // Written by another version of the result type: a miss, never a failure of the call.
            return false;
        }

        entry = new CacheFallbackEntry(value, storedAt, freshUntil, staleUntil);
        return true;
    }

    private static bool TryTime(long ticks, out DateTimeOffset time)
    {
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            time = default;
            return false;
        }

        time = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}
