namespace Resilience.Redis;

/// <summary>
/// The Lua scripts that count a rate limit's permits on the server, one per algorithm. Each runs atomically, reads the
/// server's clock (<c>TIME</c>, microseconds), grants up to the permits asked for (fewer when fewer are left: a lease
/// takes what there is) and returns <c>{granted, retry_after_us}</c>, where <c>retry_after_us</c> is when the next
/// permit is expected if none was granted. One key per limit (or per key of a keyed limit), which expires once it would
/// be back at its initial state, so an idle partition costs nothing.
/// </summary>
/// <remarks>
/// Arguments: <c>KEYS[1]</c> the limit's key; <c>ARGV[1]</c> the permit limit, <c>ARGV[2]</c> the window in
/// microseconds, <c>ARGV[3]</c> the permits asked for, <c>ARGV[4]</c> (sliding window only) the segments per window.
/// Times are whole microseconds since the Unix epoch, below 2^53, so Lua's doubles hold them exactly.
/// </remarks>
internal static class RedisRateLimitScripts
{
    /// <summary>
    /// Token bucket: <c>tokens</c> (fractional) and <c>ts</c> in a hash. Refilled continuously at limit per window up
    /// to the limit, as the local token bucket; a missing key is a full bucket. A server clock that goes back (a failover
    /// to a replica whose clock is behind) refills nothing until it passes the last time seen.
    /// </summary>
    public const string TokenBucket = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local asked = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1])
        local ts = tonumber(state[2])
        if tokens == nil or ts == nil then
          tokens = limit
        elseif now > ts then
          tokens = math.min(limit, tokens + (now - ts) * limit / window)
        end
        if ts ~= nil and ts > now then
          now = ts
        end
        local granted = math.min(asked, math.floor(tokens))
        local retry = 0
        if granted > 0 then
          tokens = tokens - granted
        else
          granted = 0
          retry = math.ceil((1 - tokens) * window / limit)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1)
        return { granted, retry }
        """;

    /// <summary>
    /// Sliding window in segments of <c>window / segments</c>: a hash of segment number → permits taken in it. A permit
    /// taken in segment <c>j</c> counts until segment <c>j + segments + 1</c> starts, so no span of one window ever
    /// holds more than the limit (as the local sliding window: a permit comes back at the first segment boundary at or
    /// after one window from when it was taken).
    /// </summary>
    public const string SlidingWindow = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local asked = tonumber(ARGV[3])
        local segments = tonumber(ARGV[4])
        local length = window / segments
        local current = math.floor(now / length)
        local oldest = current - segments
        local fields = redis.call('HGETALL', KEYS[1])
        local used = 0
        local first = nil
        for i = 1, #fields, 2 do
          local segment = tonumber(fields[i])
          if segment < oldest then
            redis.call('HDEL', KEYS[1], fields[i])
          else
            used = used + tonumber(fields[i + 1])
            if first == nil or segment < first then
              first = segment
            end
          end
        end
        local granted = math.min(asked, limit - used)
        local retry = 0
        if granted > 0 then
          redis.call('HINCRBY', KEYS[1], tostring(current), granted)
        else
          granted = 0
          if first == nil then
            first = current
          end
          retry = math.ceil((first + segments + 1) * length - now)
        end
        redis.call('PEXPIRE', KEYS[1], math.ceil((segments + 1) * length / 1000) + 1)
        return { granted, retry }
        """;

    /// <summary>Fixed window: the window number and the permits taken in it, in a hash; a new window starts from zero.</summary>
    public const string FixedWindow = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local asked = tonumber(ARGV[3])
        local current = math.floor(now / window)
        local state = redis.call('HMGET', KEYS[1], 'window', 'used')
        local used = 0
        if tonumber(state[1]) == current then
          used = tonumber(state[2]) or 0
        end
        local granted = math.min(asked, limit - used)
        local retry = 0
        if granted > 0 then
          used = used + granted
        else
          granted = 0
          retry = math.ceil((current + 1) * window - now)
        end
        redis.call('HSET', KEYS[1], 'window', tostring(current), 'used', tostring(used))
        redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1)
        return { granted, retry }
        """;
}
