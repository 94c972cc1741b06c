namespace Resilience.Generator.Tests.RealWorld;

/// <summary>
/// A public interface of a well-known .NET library, copied with its real signatures (parameter names, defaults,
/// nullable annotations, attributes, constraints, base interfaces) and the least supporting types, in its own
/// namespace. <see cref="Source"/> has slots where a user would put attributes: <c>/*iface*/</c> before the
/// interface, <c>/*read*/</c> before methods that read, <c>/*write*/</c> before methods that change something, and
/// interface-specific slots named in <see cref="Specific"/>.
/// </summary>
/// <param name="Name">Short name of the case.</param>
/// <param name="Origin">The library and type it was copied from.</param>
/// <param name="Source">The interface and its supporting types, with slots.</param>
/// <param name="Specific">Annotations particular to this interface (fallbacks, cache fallbacks, keyed limits).</param>
internal sealed record RealInterface(string Name, string Origin, string Source, params Annotation[] Specific);

/// <summary>One way of annotating an interface: slot → attribute text, and the RES ids a build must report.</summary>
/// <param name="Label">What the annotation does.</param>
/// <param name="Slots">The text put in each slot; other slots stay empty.</param>
/// <param name="Expected">RES ids the build reports with nullable enabled (each at least once, no others).</param>
/// <param name="ExpectedWithoutNullable">The same with nullable disabled; <see langword="null"/> when equal to <paramref name="Expected"/>.</param>
internal sealed record Annotation(string Label, IReadOnlyDictionary<string, string> Slots, string[] Expected, string[]? ExpectedWithoutNullable = null)
{
    public string Apply(string source)
    {
        foreach (var (slot, text) in Slots)
        {
            Assert.Contains("/*" + slot + "*/", source);
            source = source.Replace("/*" + slot + "*/", text);
        }

        return source;
    }

    public static Annotation Of(string label, string[] expected, params (string Slot, string Text)[] slots)
        => new(label, slots.ToDictionary(s => s.Slot, s => s.Text), expected);
}

/// <summary>The corpus: 57 cases, 68 annotated public interfaces of 51 libraries and one nullable-oblivious user interface.</summary>
internal static class RealInterfaces
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Diagnostics.CodeAnalysis;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    public static readonly RealInterface[] All =
    {
        new("IMemoryCache", "Microsoft.Extensions.Caching.Abstractions: Microsoft.Extensions.Caching.Memory.IMemoryCache", Usings + """
            namespace Microsoft.Extensions.Caching.Memory
            {
                public interface ICacheEntry : IDisposable
                {
                    object Key { get; }
                    object? Value { get; set; }
                    DateTimeOffset? AbsoluteExpiration { get; set; }
                }

                public class MemoryCacheStatistics
                {
                    public long CurrentEntryCount { get; init; }
                }

                /*iface*/
                public interface IMemoryCache : IDisposable
                {
                    /*read*/
                    bool TryGetValue(object key, out object? value);

                    /*write*/
                    ICacheEntry CreateEntry(object key);

                    /*write*/
                    void Remove(object key);

                    /*stats*/
                    MemoryCacheStatistics? GetCurrentStatistics() => null;
                }
            }
            """,
            // TryGetValue has an out parameter: an interface-level breaker skips it, a method-level one is RES0010.
            Annotation.Of("breaker on statistics (default member)", Array.Empty<string>(), ("stats", "[CircuitBreaker(FailureThreshold = 3)]"))),

        new("IDistributedCache", "Microsoft.Extensions.Caching.Abstractions: Microsoft.Extensions.Caching.Distributed.IDistributedCache", Usings + """
            namespace Microsoft.Extensions.Caching.Distributed
            {
                public class DistributedCacheEntryOptions
                {
                    public DateTimeOffset? AbsoluteExpiration { get; set; }
                    public TimeSpan? SlidingExpiration { get; set; }
                }

                /*iface*/
                public interface IDistributedCache
                {
                    /*read*/
                    byte[]? Get(string key);

                    /*read*/ /*getasync*/
                    Task<byte[]?> GetAsync(string key, CancellationToken token = default);

                    /*write*/
                    void Set(string key, byte[] value, DistributedCacheEntryOptions options);

                    /*write*/
                    Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default);

                    void Refresh(string key);

                    Task RefreshAsync(string key, CancellationToken token = default);

                    /*write*/
                    void Remove(string key);

                    /*write*/
                    Task RemoveAsync(string key, CancellationToken token = default);
                }

                public static class CacheMisses
                {
                    public static Task<byte[]?> Miss(string key, Exception error) => Task.FromResult<byte[]?>(null);
                }
            }
            """,
            Annotation.Of("cache fallback + fallback on GetAsync", Array.Empty<string>(),
                ("getasync", "[CacheFallback(StaleTtlMs = 60_000)] [Fallback(typeof(CacheMisses), nameof(CacheMisses.Miss))]")),
            Annotation.Of("keyed rate limit per key", Array.Empty<string>(),
                ("getasync", "[RateLimit(PermitLimit = 10, KeyParameter = \"key\")]"))),

        new("IBufferDistributedCache", "Microsoft.Extensions.Caching.Abstractions (9.0): Microsoft.Extensions.Caching.Distributed.IBufferDistributedCache", Usings + """
            namespace Microsoft.Extensions.Caching.Distributed
            {
                using System.Buffers;

                public class DistributedCacheEntryOptions
                {
                    public DateTimeOffset? AbsoluteExpiration { get; set; }
                    public TimeSpan? SlidingExpiration { get; set; }
                }

                public interface IDistributedCache
                {
                    byte[]? Get(string key);
                    Task<byte[]?> GetAsync(string key, CancellationToken token = default);
                    void Set(string key, byte[] value, DistributedCacheEntryOptions options);
                    Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default);
                    void Refresh(string key);
                    Task RefreshAsync(string key, CancellationToken token = default);
                    void Remove(string key);
                    Task RemoveAsync(string key, CancellationToken token = default);
                }

                /*iface*/
                public interface IBufferDistributedCache : IDistributedCache
                {
                    /*read*/
                    bool TryGet(string key, IBufferWriter<byte> destination);

                    /*read*/ /*trygetasync*/
                    ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default);

                    /*write*/
                    void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options);

                    /*write*/
                    ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default);
                }
            }
            """,
            Annotation.Of("keyed rate limit per key on TryGetAsync", Array.Empty<string>(),
                ("trygetasync", "[RateLimit(PermitLimit = 10, KeyParameter = \"key\")]"))),

        new("ILogger", "Microsoft.Extensions.Logging.Abstractions: Microsoft.Extensions.Logging.ILogger", Usings + """
            namespace Microsoft.Extensions.Logging
            {
                public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical, None }

                public readonly struct EventId
                {
                    public EventId(int id, string? name = null) { Id = id; Name = name; }
                    public int Id { get; }
                    public string? Name { get; }
                }

                /*iface*/
                public interface ILogger
                {
                    /*write*/
                    void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter);

                    /*read*/
                    bool IsEnabled(LogLevel logLevel);

                    IDisposable? BeginScope<TState>(TState state) where TState : notnull;
                }
            }
            """,
            Annotation.Of("bulkhead on Log", Array.Empty<string>(), ("write", "[Bulkhead(MaxConcurrency = 1, MaxQueue = 1_000)]"))),

        new("IHttpClientFactory", "Microsoft.Extensions.Http: System.Net.Http.IHttpClientFactory", Usings + """
            namespace System.Net.Http
            {
                /*iface*/
                public interface IHttpClientFactory
                {
                    /*read*/ /*create*/
                    HttpClient CreateClient(string name);
                }
            }
            """,
            Annotation.Of("keyed breaker per client name", Array.Empty<string>(), ("create", "[CircuitBreaker(KeyParameter = \"name\", FailureThreshold = 2)]"))),

        new("IOptionsMonitor", "Microsoft.Extensions.Options: Microsoft.Extensions.Options.IOptionsMonitor<out TOptions>", Usings + """
            namespace Microsoft.Extensions.Options
            {
                /*iface*/
                public interface IOptionsMonitor<out TOptions>
                {
                    TOptions CurrentValue { get; }

                    /*read*/
                    TOptions Get(string? name);

                    /*write*/
                    IDisposable? OnChange(Action<TOptions, string?> listener);
                }
            }
            """),

        new("ISender", "MediatR.Contracts + MediatR: MediatR.ISender", Usings + """
            namespace MediatR
            {
                public interface IBaseRequest { }
                public interface IRequest : IBaseRequest { }
                public interface IRequest<out TResponse> : IBaseRequest { }
                public interface IStreamRequest<out TResponse> { }

                /*iface*/
                public interface ISender
                {
                    /*read*/ /*send*/
                    Task<TResponse> Send<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Send<TRequest>(TRequest request, CancellationToken cancellationToken = default)
                        where TRequest : IRequest;

                    /*read*/
                    Task<object?> Send(object request, CancellationToken cancellationToken = default);

                    IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamRequest<TResponse> request, CancellationToken cancellationToken = default);

                    IAsyncEnumerable<object?> CreateStream(object request, CancellationToken cancellationToken = default);
                }

                public static class SendFallbacks
                {
                    public static Task<TResponse> Default<TResponse>(IRequest<TResponse> request, Exception error) => Task.FromResult(default(TResponse)!);
                }
            }
            """,
            Annotation.Of("generic static fallback on Send<TResponse>", Array.Empty<string>(),
                ("send", "[Fallback(typeof(SendFallbacks), nameof(SendFallbacks.Default))]"))),

        new("IPublisher+IMediator", "MediatR: MediatR.IPublisher and MediatR.IMediator : ISender, IPublisher", Usings + """
            namespace MediatR
            {
                public interface INotification { }

                public interface ISender
                {
                    Task<object?> Send(object request, CancellationToken cancellationToken = default);
                }

                /*iface*/
                public interface IPublisher
                {
                    /*write*/
                    Task Publish(object notification, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
                        where TNotification : INotification;
                }

                /*mediator*/
                public interface IMediator : ISender, IPublisher
                {
                }
            }
            """,
            // Interface-level attributes apply to the interface's own methods; IMediator declares none, so its decorator only forwards.
            Annotation.Of("retry on the empty IMediator", Array.Empty<string>(), ("mediator", "[Retry(MaxRetries = 2)]"))),

        new("IDatabaseAsync", "StackExchange.Redis: StackExchange.Redis.IDatabaseAsync (subset) : IRedisAsync", Usings + """
            namespace StackExchange.Redis
            {
                [Flags]
                public enum CommandFlags { None = 0, PreferMaster = 0, HighPriority = 1, FireAndForget = 2, PreferReplica = 8, DemandMaster = 4, DemandReplica = 12, NoRedirect = 64, NoScriptCache = 512 }

                public enum When { Always, Exists, NotExists }

                public readonly struct RedisKey : IEquatable<RedisKey>
                {
                    private readonly string? _value;
                    public RedisKey(string? key) => _value = key;
                    public static implicit operator RedisKey(string? key) => new(key);
                    public bool Equals(RedisKey other) => _value == other._value;
                    public override bool Equals(object? obj) => obj is RedisKey other && Equals(other);
                    public override int GetHashCode() => _value?.GetHashCode() ?? 0;
                    public override string ToString() => _value ?? "";
                }

                public readonly struct RedisValue : IEquatable<RedisValue>
                {
                    private readonly object? _value;
                    public RedisValue(object? value) => _value = value;
                    public static RedisValue Null => default;
                    public bool IsNull => _value is null;
                    public static implicit operator RedisValue(string? value) => new(value);
                    public bool Equals(RedisValue other) => Equals(_value, other._value);
                    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);
                    public override int GetHashCode() => _value?.GetHashCode() ?? 0;
                }

                public interface IRedisAsync
                {
                    Task<TimeSpan> PingAsync(CommandFlags flags = CommandFlags.None);

                    bool TryWait(Task task);

                    void Wait(Task task);

                    T Wait<T>(Task<T> task);
                }

                /*iface*/
                public interface IDatabaseAsync : IRedisAsync
                {
                    bool IsConnected(RedisKey key, CommandFlags flags = CommandFlags.None);

                    /*read*/ /*get*/
                    Task<RedisValue> StringGetAsync(RedisKey key, CommandFlags flags = CommandFlags.None);

                    /*read*/
                    Task<RedisValue[]> StringGetAsync(RedisKey[] keys, CommandFlags flags = CommandFlags.None);

                    /*write*/
                    Task<bool> StringSetAsync(RedisKey key, RedisValue value, TimeSpan? expiry = null, When when = When.Always, CommandFlags flags = CommandFlags.None);

                    /*write*/
                    Task<long> StringIncrementAsync(RedisKey key, long value = 1, CommandFlags flags = CommandFlags.None);

                    /*write*/
                    Task<bool> KeyDeleteAsync(RedisKey key, CommandFlags flags = CommandFlags.None);

                    /*read*/
                    Task<RedisValue> HashGetAsync(RedisKey key, RedisValue hashField, CommandFlags flags = CommandFlags.None);
                }
            }
            """,
            Annotation.Of("cache fallback + keyed rate limit on StringGetAsync", Array.Empty<string>(),
                ("get", "[CacheFallback(KeyParameters = new[] { \"key\" })] [RateLimit(PermitLimit = 1_000, KeyParameter = \"key\")]"))),

        new("IConnectionMultiplexer", "StackExchange.Redis: StackExchange.Redis.IConnectionMultiplexer (subset) : IDisposable, IAsyncDisposable", Usings + """
            namespace StackExchange.Redis
            {
                public interface IDatabase { int Database { get; } }

                public class ConnectionFailedEventArgs : EventArgs { }

                /*iface*/
                public interface IConnectionMultiplexer : IDisposable, IAsyncDisposable
                {
                    string ClientName { get; }

                    bool IsConnected { get; }

                    event EventHandler<ConnectionFailedEventArgs>? ConnectionFailed;

                    /*read*/
                    IDatabase GetDatabase(int db = -1, object? asyncState = null);

                    /*write*/
                    Task CloseAsync(bool allowCommandsToComplete = true);

                    /*write*/
                    void Close(bool allowCommandsToComplete = true);
                }
            }
            """),

        new("IUserStore+IUserPasswordStore", "Microsoft.Extensions.Identity.Core: Microsoft.AspNetCore.Identity.IUserStore<TUser>, IUserPasswordStore<TUser>", Usings + """
            namespace Microsoft.AspNetCore.Identity
            {
                public class IdentityResult
                {
                    public bool Succeeded { get; protected set; }
                    public static IdentityResult Success { get; } = new() { Succeeded = true };
                }

                /*iface*/
                public interface IUserStore<TUser> : IDisposable where TUser : class
                {
                    /*read*/
                    Task<string> GetUserIdAsync(TUser user, CancellationToken cancellationToken);

                    /*read*/
                    Task<string?> GetUserNameAsync(TUser user, CancellationToken cancellationToken);

                    /*write*/
                    Task SetUserNameAsync(TUser user, string? userName, CancellationToken cancellationToken);

                    Task<string?> GetNormalizedUserNameAsync(TUser user, CancellationToken cancellationToken);

                    Task SetNormalizedUserNameAsync(TUser user, string? normalizedName, CancellationToken cancellationToken);

                    /*write*/
                    Task<IdentityResult> CreateAsync(TUser user, CancellationToken cancellationToken);

                    /*write*/
                    Task<IdentityResult> UpdateAsync(TUser user, CancellationToken cancellationToken);

                    /*write*/
                    Task<IdentityResult> DeleteAsync(TUser user, CancellationToken cancellationToken);

                    /*read*/ /*find*/
                    Task<TUser?> FindByIdAsync(string userId, CancellationToken cancellationToken);

                    /*read*/
                    Task<TUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken);
                }

                /*pwd*/
                public interface IUserPasswordStore<TUser> : IUserStore<TUser> where TUser : class
                {
                    Task SetPasswordHashAsync(TUser user, string? passwordHash, CancellationToken cancellationToken);

                    /*hash*/
                    Task<string?> GetPasswordHashAsync(TUser user, CancellationToken cancellationToken);

                    Task<bool> HasPasswordAsync(TUser user, CancellationToken cancellationToken);

                    Task<string?> NoHash(TUser user, Exception error) => Task.FromResult<string?>(null);
                }
            }
            """,
            Annotation.Of("password store: breaker + fallback to a default member", Array.Empty<string>(),
                ("pwd", "[CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20)]"),
                ("hash", "[Fallback(nameof(NoHash))]")),
            Annotation.Of("cache fallback on FindByIdAsync", Array.Empty<string>(), ("find", "[CacheFallback(TtlMs = 1_000)]"))),

        new("IChatClient", "Microsoft.Extensions.AI.Abstractions: Microsoft.Extensions.AI.IChatClient", Usings + """
            namespace Microsoft.Extensions.AI
            {
                public class ChatMessage { public string? Text { get; set; } }
                public class ChatOptions { public string? ModelId { get; set; } }
                public class ChatResponse { public IList<ChatMessage> Messages { get; } = new List<ChatMessage>(); }
                public class ChatResponseUpdate { public string? Text { get; set; } }

                /*iface*/
                public interface IChatClient : IDisposable
                {
                    /*read*/ /*chat*/
                    Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

                    /*stream*/
                    IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

                    object? GetService(Type serviceType, object? serviceKey = null);
                }

                public sealed class CannedAnswers
                {
                    public Task<ChatResponse> Apologise(IEnumerable<ChatMessage> messages, Exception error) => Task.FromResult(new ChatResponse());
                }
            }
            """,
            Annotation.Of("retry + attempt timeout + handler-instance fallback", Array.Empty<string>(),
                ("chat", "[Retry(MaxRetries = 2, AttemptTimeoutMs = 10_000)] [Fallback(typeof(CannedAnswers), nameof(CannedAnswers.Apologise))]")),
            Annotation.Of("retry on the streaming method", new[] { "RES0010" }, ("stream", "[Retry]"))),

        new("IScheduler", "Quartz: Quartz.IScheduler (subset)", Usings + """
            namespace Quartz
            {
                public abstract class Key<T> : IEquatable<Key<T>>
                {
                    protected Key(string name, string? group) { Name = name; Group = group ?? "DEFAULT"; }
                    public string Name { get; }
                    public string Group { get; }
                    public bool Equals(Key<T>? other) => other is not null && Name == other.Name && Group == other.Group;
                    public override bool Equals(object? obj) => obj is Key<T> other && Equals(other);
                    public override int GetHashCode() => HashCode.Combine(Name, Group);
                    public override string ToString() => Group + "." + Name;
                }

                public sealed class JobKey : Key<JobKey> { public JobKey(string name, string? group = null) : base(name, group) { } }
                public sealed class JobDataMap : Dictionary<string, object> { }
                public interface IJobDetail { JobKey Key { get; } }
                public interface ITrigger { DateTimeOffset? GetNextFireTimeUtc(); }
                public interface IListenerManager { }

                public sealed class GroupMatcher<T> where T : Key<T>
                {
                    public static GroupMatcher<T> AnyGroup() => new();
                }

                /*iface*/
                public interface IScheduler
                {
                    string SchedulerName { get; }

                    bool IsStarted { get; }

                    IListenerManager ListenerManager { get; }

                    /*write*/
                    Task Start(CancellationToken cancellationToken = default);

                    Task Shutdown(bool waitForJobsToComplete, CancellationToken cancellationToken = default);

                    /*write*/
                    Task<DateTimeOffset> ScheduleJob(IJobDetail jobDetail, ITrigger trigger, CancellationToken cancellationToken = default);

                    Task ScheduleJobs(IReadOnlyDictionary<IJobDetail, IReadOnlyCollection<ITrigger>> triggersAndJobs, bool replace, CancellationToken cancellationToken = default);

                    /*write*/ /*delete*/
                    Task<bool> DeleteJob(JobKey jobKey, CancellationToken cancellationToken = default);

                    /*read*/
                    Task<IReadOnlyCollection<JobKey>> GetJobKeys(GroupMatcher<JobKey> matcher, CancellationToken cancellationToken = default);

                    /*read*/ /*exists*/
                    Task<bool> CheckExists(JobKey jobKey, CancellationToken cancellationToken = default);

                    /*trigger*/
                    Task TriggerJob(JobKey jobKey, JobDataMap data, CancellationToken cancellationToken = default);

                    Task<bool> DeleteJobFallback(JobKey jobKey, Exception error);
                }
            }
            """,
            Annotation.Of("stale cache on CheckExists by job key, keyed rate limit on TriggerJob, fallback on DeleteJob", Array.Empty<string>(),
                ("exists", "[CacheFallback(StaleTtlMs = 60_000)]"),
                ("trigger", "[RateLimit(PermitLimit = 10, WindowMs = 1_000, KeyParameter = \"jobKey\")] [Bulkhead(MaxConcurrency = 2, MaxQueue = 0)]"),
                ("delete", "[Fallback(nameof(DeleteJobFallback))]"))),

        new("ISmtpClient", "MailKit: MailKit.Net.Smtp.ISmtpClient (subset)", Usings + """
            namespace MimeKit { public class MimeMessage { public string? Subject { get; set; } } }

            namespace MailKit
            {
                public interface ITransferProgress { void Report(long bytesTransferred); }
            }

            namespace MailKit.Net.Smtp
            {
                public enum SecureSocketOptions { None, Auto, SslOnConnect, StartTls }

                /*iface*/
                public interface ISmtpClient : IDisposable
                {
                    bool IsConnected { get; }

                    /*connect*/
                    Task ConnectAsync(string host, int port = 0, SecureSocketOptions options = SecureSocketOptions.Auto, CancellationToken cancellationToken = default);

                    /*read*/ /*send*/
                    Task<string> SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken = default, MailKit.ITransferProgress? progress = null);

                    void Disconnect(bool quit, CancellationToken cancellationToken = default);

                    static bool IsTransient(Exception exception) => exception is TimeoutException or System.IO.IOException;
                }
            }
            """,
            Annotation.Of("hedged connect, budgeted retry + worker-pool bulkhead on send, breaker with HandleException", Array.Empty<string>(),
                ("connect", "[Hedge(DelayMs = 200, MaxHedges = 2)]"),
                ("send", "[Retry(MaxRetries = 2, Budget = \"smtp\")] [Bulkhead(Kind = BulkheadKind.WorkerPool, MaxConcurrency = 2, MaxWaitMs = 500)] [CircuitBreaker(HandleException = nameof(IsTransient), SuccessThreshold = 2, IntervalMs = 60_000)]"))),

        new("IEmbeddingGenerator", "Microsoft.Extensions.AI.Abstractions: Microsoft.Extensions.AI.IEmbeddingGenerator<in TInput, TEmbedding>", Usings + """
            namespace Microsoft.Extensions.AI
            {
                public class Embedding { }
                public sealed class Embedding<T> : Embedding { public ReadOnlyMemory<T> Vector { get; init; } }
                public class EmbeddingGenerationOptions { public int? Dimensions { get; set; } }
                public class GeneratedEmbeddings<TEmbedding> : List<TEmbedding> where TEmbedding : Embedding { }

                public interface IEmbeddingGenerator : IDisposable
                {
                    object? GetService(Type serviceType, object? serviceKey = null);
                }

                /*iface*/
                public interface IEmbeddingGenerator<in TInput, TEmbedding> : IEmbeddingGenerator
                    where TEmbedding : Embedding
                {
                    /*read*/
                    Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default);
                }
            }
            """),

        new("SignalR IClientProxy+IGroupManager", "Microsoft.AspNetCore.SignalR.Core: IClientProxy, IGroupManager, IHubClients<T>", Usings + """
            namespace Microsoft.AspNetCore.SignalR
            {
                /*iface*/
                public interface IClientProxy
                {
                    /*write*/
                    Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default);
                }

                /*groups*/
                public interface IGroupManager
                {
                    Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default);

                    Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default);
                }

                public interface IHubClients<T>
                {
                    T All { get; }
                    T Client(string connectionId);
                    T Group(string groupName);
                    T Groups(IReadOnlyList<string> groupNames);
                    T AllExcept(IReadOnlyList<string> excludedConnectionIds);
                }

                /*hub*/
                public interface IHubContext<THub> where THub : class
                {
                    IHubClients<IClientProxy> Clients { get; }

                    IGroupManager Groups { get; }
                }
            }
            """,
            Annotation.Of("keyed rate limit per group", Array.Empty<string>(), ("groups", "[RateLimit(PermitLimit = 5, KeyParameter = \"groupName\")]")),
            Annotation.Of("breaker on a property-only interface", Array.Empty<string>(), ("hub", "[CircuitBreaker]"))),

        new("IGrainFactory", "Microsoft.Orleans.Core.Abstractions: Orleans.IGrainFactory", Usings + """
            namespace Orleans
            {
                public interface IAddressable { }
                public interface IGrain : IAddressable { }
                public interface IGrainWithGuidKey : IGrain { }
                public interface IGrainWithIntegerKey : IGrain { }
                public interface IGrainWithStringKey : IGrain { }
                public interface IGrainWithGuidCompoundKey : IGrain { }
                public interface IGrainWithIntegerCompoundKey : IGrain { }
                public interface IGrainObserver : IAddressable { }

                /*iface*/
                public interface IGrainFactory
                {
                    /*read*/
                    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey;

                    /*read*/
                    TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey;

                    /*read*/
                    TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey;

                    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey;

                    TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey;

                    /*write*/ /*observer*/
                    Task<TGrainObserverInterface> CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver;

                    /*write*/
                    Task DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver;
                }

                public static class ObserverFallbacks
                {
                    public static Task<T> Strict<T>(IGrainObserver obj, Exception error) where T : class, IGrainObserver => Task.FromException<T>(error);
                }
            }
            """,
            // The fallback requires 'class'; the method's type parameter only IGrainObserver: RES0003.
            Annotation.Of("generic fallback with stricter constraints", new[] { "RES0003" },
                ("observer", "[Fallback(typeof(ObserverFallbacks), nameof(ObserverFallbacks.Strict))]"))),

        new("IValidator", "FluentValidation: FluentValidation.IValidator<T> : IValidator", Usings + """
            namespace FluentValidation
            {
                public interface IValidationContext { object? InstanceToValidate { get; } }
                public interface IValidatorDescriptor { }

                public class ValidationResult
                {
                    public bool IsValid => Errors.Count == 0;
                    public List<string> Errors { get; } = new();
                }

                public interface IValidator
                {
                    ValidationResult Validate(IValidationContext context);

                    Task<ValidationResult> ValidateAsync(IValidationContext context, CancellationToken cancellation = new CancellationToken());

                    IValidatorDescriptor CreateDescriptor();

                    bool CanValidateInstancesOfType(Type type);
                }

                /*iface*/
                public interface IValidator<in T> : IValidator
                {
                    /*read*/
                    ValidationResult Validate(T instance);

                    /*read*/ /*validate*/
                    Task<ValidationResult> ValidateAsync(T instance, CancellationToken cancellation = new CancellationToken());

                    Task<ValidationResult> Invalid(T instance, Exception error) => Task.FromResult(new ValidationResult { Errors = { error.Message } });
                }
            }
            """,
            Annotation.Of("fallback to a default member on ValidateAsync", Array.Empty<string>(), ("validate", "[Fallback(nameof(Invalid))]"))),

        new("Refit IGitHubApi", "Refit: a Refit API interface as its README declares one (Refit attributes declared beside it)", Usings + """
            namespace Refit
            {
                [AttributeUsage(AttributeTargets.Method)] public sealed class GetAttribute : Attribute { public GetAttribute(string path) { } }
                [AttributeUsage(AttributeTargets.Method)] public sealed class PostAttribute : Attribute { public PostAttribute(string path) { } }
                [AttributeUsage(AttributeTargets.Method)] public sealed class DeleteAttribute : Attribute { public DeleteAttribute(string path) { } }
                [AttributeUsage(AttributeTargets.Parameter)] public sealed class BodyAttribute : Attribute { }
                [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property)] public sealed class AliasAsAttribute : Attribute { public AliasAsAttribute(string name) { } }
                [AttributeUsage(AttributeTargets.Parameter)] public sealed class HeaderAttribute : Attribute { public HeaderAttribute(string header) { } }
                [AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface)] public sealed class HeadersAttribute : Attribute { public HeadersAttribute(params string[] headers) { } }

                public interface IApiResponse : IDisposable { bool IsSuccessStatusCode { get; } }
                public interface IApiResponse<out T> : IApiResponse { T? Content { get; } }
            }

            namespace GitHub.Client
            {
                using Refit;

                public sealed record User(string Login, string? Name);
                public sealed record NewIssue(string Title, string? Body);
                public sealed record Issue(int Number, string Title);

                [Headers("User-Agent: Refit")]
                /*iface*/
                public interface IGitHubApi
                {
                    /*read*/ /*user*/
                    [Get("/users/{user}")]
                    Task<User> GetUser(string user);

                    /*read*/
                    [Get("/search/users")]
                    Task<IApiResponse<List<User>>> SearchUsers([AliasAs("q")] string query, [Header("Authorization")] string? authorization = null, CancellationToken cancellationToken = default);

                    /*write*/
                    [Post("/repos/{owner}/{repo}/issues")]
                    Task<Issue> CreateIssue(string owner, string repo, [Body] NewIssue issue);

                    /*write*/
                    [Delete("/repos/{owner}/{repo}")]
                    Task DeleteRepo(string owner, string repo);
                }
            }
            """,
            Annotation.Of("cache fallback + keyed rate limit on GetUser", new[] { "RES0012" },
                ("user", "[CacheFallback(StaleTtlMs = 600_000)] [RateLimit(PermitLimit = 60, WindowMs = 60_000, KeyParameter = \"user\")] [Timeout(5_000)]"))),

        new("IRepositoriesClient", "Octokit: Octokit.IRepositoriesClient (subset)", Usings + """
            namespace Octokit
            {
                public class Repository { public long Id { get; set; } }
                public class NewRepository { public NewRepository(string name) => Name = name; public string Name { get; } }
                public class RepositoryUpdate { public string? Description { get; set; } }
                public class ApiOptions { public int? PageSize { get; set; } }
                public interface IPullRequestsClient { Task<int> Count(string owner, string name); }

                /*iface*/
                public interface IRepositoriesClient
                {
                    IPullRequestsClient PullRequest { get; }

                    /*write*/
                    Task<Repository> Create(NewRepository newRepository);

                    /*write*/
                    Task<Repository> Create(string organizationLogin, NewRepository newRepository);

                    /*write*/
                    Task Delete(string owner, string name);

                    /*write*/
                    Task Delete(long repositoryId);

                    /*read*/ /*get*/
                    [SuppressMessage("Microsoft.Naming", "CA1716:IdentifiersShouldNotMatchKeywords", MessageId = "Get", Justification = "Method makes a network request")]
                    Task<Repository> Get(string owner, string name);

                    /*read*/
                    [SuppressMessage("Microsoft.Naming", "CA1716:IdentifiersShouldNotMatchKeywords", MessageId = "Get", Justification = "Method makes a network request")]
                    Task<Repository> Get(long repositoryId);

                    /*read*/
                    Task<IReadOnlyList<Repository>> GetAllForCurrent();

                    /*read*/
                    Task<IReadOnlyList<Repository>> GetAllForCurrent(ApiOptions options);

                    /*read*/
                    Task<IReadOnlyList<Repository>> GetAllForUser(string login);

                    /*write*/
                    Task<Repository> Edit(string owner, string name, RepositoryUpdate update);
                }
            }
            """,
            Annotation.Of("keyed breaker per owner on Get", Array.Empty<string>(), ("get", "[CircuitBreaker(KeyParameter = \"owner\", MaxKeys = 1_000)]"))),

        new("IFileProvider", "Microsoft.Extensions.FileProviders.Abstractions: Microsoft.Extensions.FileProviders.IFileProvider", Usings + """
            namespace Microsoft.Extensions.Primitives
            {
                public interface IChangeToken
                {
                    bool HasChanged { get; }
                    bool ActiveChangeCallbacks { get; }
                    IDisposable RegisterChangeCallback(Action<object?> callback, object? state);
                }
            }

            namespace Microsoft.Extensions.FileProviders
            {
                using Microsoft.Extensions.Primitives;

                public interface IFileInfo { bool Exists { get; } string Name { get; } }
                public interface IDirectoryContents : IEnumerable<IFileInfo> { bool Exists { get; } }

                /*iface*/
                public interface IFileProvider
                {
                    /*read*/
                    IFileInfo GetFileInfo(string subpath);

                    /*read*/
                    IDirectoryContents GetDirectoryContents(string subpath);

                    IChangeToken Watch(string filter);
                }
            }
            """),

        new("IConfiguration", "Microsoft.Extensions.Configuration.Abstractions: IConfiguration, IConfigurationSection", Usings + """
            namespace Microsoft.Extensions.Primitives
            {
                public interface IChangeToken { bool HasChanged { get; } }
            }

            namespace Microsoft.Extensions.Configuration
            {
                using Microsoft.Extensions.Primitives;

                /*iface*/
                public interface IConfiguration
                {
                    string? this[string key] { get; set; }

                    /*read*/
                    IConfigurationSection GetSection(string key);

                    /*read*/
                    IEnumerable<IConfigurationSection> GetChildren();

                    IChangeToken GetReloadToken();
                }

                /*section*/
                public interface IConfigurationSection : IConfiguration
                {
                    string Key { get; }
                    string Path { get; }
                    string? Value { get; set; }
                }
            }
            """,
            Annotation.Of("breaker on the section (members all inherited)", Array.Empty<string>(), ("section", "[CircuitBreaker]"))),

        new("IHostedService+IHostedLifecycleService", "Microsoft.Extensions.Hosting.Abstractions: IHostedService, IHostedLifecycleService", Usings + """
            namespace Microsoft.Extensions.Hosting
            {
                /*iface*/
                public interface IHostedService
                {
                    /*write*/
                    Task StartAsync(CancellationToken cancellationToken);

                    /*write*/
                    Task StopAsync(CancellationToken cancellationToken);
                }

                /*lifecycle*/
                public interface IHostedLifecycleService : IHostedService
                {
                    Task StartingAsync(CancellationToken cancellationToken);
                    Task StartedAsync(CancellationToken cancellationToken);
                    Task StoppingAsync(CancellationToken cancellationToken);
                    Task StoppedAsync(CancellationToken cancellationToken);
                }
            }
            """,
            Annotation.Of("timeout on every lifecycle step", Array.Empty<string>(), ("lifecycle", "[Timeout(30_000)]"))),

        new("IJsonTypeInfoResolver", "System.Text.Json: System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver (redeclared in Corpus.Json: the BCL already declares it)", Usings + """
            namespace Corpus.Json
            {
                using System.Text.Json;
                using System.Text.Json.Serialization.Metadata;

                /*iface*/
                public interface IJsonTypeInfoResolver
                {
                    /*read*/
                    JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options);
                }
            }
            """),

        new("IEmailSender", "Microsoft.AspNetCore.Identity.UI: Microsoft.AspNetCore.Identity.UI.Services.IEmailSender", Usings + """
            namespace Microsoft.AspNetCore.Identity.UI.Services
            {
                /*iface*/
                public interface IEmailSender
                {
                    /*write*/ /*send*/
                    Task SendEmailAsync(string email, string subject, string htmlMessage);
                }
            }
            """,
            Annotation.Of("timeout without a token (warns) + keyed rate limit per address", new[] { "RES0012" },
                ("send", "[Timeout(10_000)] [RateLimit(PermitLimit = 3, WindowMs = 60_000, KeyParameter = \"email\")]"))),

        new("IAuthorizationService", "Microsoft.AspNetCore.Authorization: Microsoft.AspNetCore.Authorization.IAuthorizationService", Usings + """
            namespace Microsoft.AspNetCore.Authorization
            {
                using System.Security.Claims;

                public interface IAuthorizationRequirement { }

                public class AuthorizationResult
                {
                    public bool Succeeded { get; private set; }
                    public static AuthorizationResult Success() => new() { Succeeded = true };
                    public static AuthorizationResult Failed() => new();
                }

                /*iface*/
                public interface IAuthorizationService
                {
                    /*read*/
                    Task<AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, IEnumerable<IAuthorizationRequirement> requirements);

                    /*read*/ /*policy*/
                    Task<AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, string policyName);
                }

                internal static class Deny
                {
                    public static AuthorizationResult All(Exception error) => AuthorizationResult.Failed();
                }
            }
            """,
            Annotation.Of("internal static fallback (fail closed)", Array.Empty<string>(), ("policy", "[Fallback(typeof(Deny), nameof(Deny.All))]"))),

        new("IDataProtector", "Microsoft.AspNetCore.DataProtection.Abstractions: IDataProtector : IDataProtectionProvider", Usings + """
            namespace Microsoft.AspNetCore.DataProtection
            {
                public interface IDataProtectionProvider
                {
                    IDataProtector CreateProtector(string purpose);
                }

                /*iface*/
                public interface IDataProtector : IDataProtectionProvider
                {
                    /*write*/
                    byte[] Protect(byte[] plaintext);

                    /*read*/
                    byte[] Unprotect(byte[] protectedData);
                }
            }
            """),

        new("IStringLocalizer", "Microsoft.Extensions.Localization.Abstractions: Microsoft.Extensions.Localization.IStringLocalizer", Usings + """
            namespace Microsoft.Extensions.Localization
            {
                public class LocalizedString
                {
                    public LocalizedString(string name, string value) { Name = name; Value = value; }
                    public string Name { get; }
                    public string Value { get; }
                }

                /*iface*/
                public interface IStringLocalizer
                {
                    LocalizedString this[string name] { get; }

                    LocalizedString this[string name, params object[] arguments] { get; }

                    /*read*/
                    IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures);
                }
            }
            """),

        new("IHealthCheck", "Microsoft.Extensions.Diagnostics.HealthChecks.Abstractions: IHealthCheck", Usings + """
            namespace Microsoft.Extensions.Diagnostics.HealthChecks
            {
                public enum HealthStatus { Unhealthy = 0, Degraded = 1, Healthy = 2 }

                public readonly struct HealthCheckResult
                {
                    public HealthCheckResult(HealthStatus status, string? description = null, Exception? exception = null) { Status = status; Description = description; Exception = exception; }
                    public HealthStatus Status { get; }
                    public string? Description { get; }
                    public Exception? Exception { get; }
                    public static HealthCheckResult Unhealthy(string? description = null, Exception? exception = null) => new(HealthStatus.Unhealthy, description, exception);
                }

                public sealed class HealthCheckContext { }

                /*iface*/
                public interface IHealthCheck
                {
                    /*read*/ /*check*/
                    Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default);

                    HealthCheckResult Unhealthy(Exception error) => HealthCheckResult.Unhealthy(error.Message, error);
                }
            }
            """,
            Annotation.Of("timeout + value-returning fallback", Array.Empty<string>(), ("check", "[Timeout(2_000)] [Fallback(nameof(Unhealthy))]"))),

        new("IFile", "TestableIO.System.IO.Abstractions: System.IO.Abstractions.IFile (subset)", Usings + """
            namespace System.IO.Abstractions
            {
                /*iface*/
                public interface IFile
                {
                    /*read*/
                    bool Exists([NotNullWhen(true)] string? path);

                    /*read*/
                    string ReadAllText(string path);

                    /*read*/ /*readasync*/
                    Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default);

                    /*write*/
                    void WriteAllText(string path, string? contents);

                    /*write*/
                    Task WriteAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default);

                    /*write*/
                    void Delete(string path);

                    Task<string?> Missing(string path) => Task.FromResult<string?>(null);
                }
            }
            """,
            // Task<string?> fallback for Task<string>: binds, and may return null for a non-nullable result.
            Annotation.Of("nullable fallback for a non-nullable result", new[] { "RES0020" }, ("readasync", "[Fallback(nameof(Missing))]"))
                with { ExpectedWithoutNullable = Array.Empty<string>() }),

        new("IPublishEndpoint", "MassTransit.Abstractions: MassTransit.IPublishEndpoint (subset)", Usings + """
            namespace MassTransit
            {
                /*iface*/
                public interface IPublishEndpoint
                {
                    /*write*/
                    Task Publish<T>(T message, CancellationToken cancellationToken = default) where T : class;

                    /*write*/
                    Task Publish(object message, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Publish(object message, Type messageType, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Publish<T>(object values, CancellationToken cancellationToken = default) where T : class;
                }
            }
            """),

        new("Serilog ILogger", "Serilog: Serilog.ILogger (subset)", Usings + """
            namespace Serilog.Core
            {
                [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
                public sealed class MessageTemplateFormatMethodAttribute : Attribute
                {
                    public MessageTemplateFormatMethodAttribute(string templateParameterName) => TemplateParameterName = templateParameterName;
                    public string TemplateParameterName { get; }
                }
            }

            namespace Serilog.Events
            {
                public enum LogEventLevel { Verbose, Debug, Information, Warning, Error, Fatal }
                public sealed class LogEvent { }
            }

            namespace Serilog
            {
                using Serilog.Core;
                using Serilog.Events;

                /*iface*/
                public interface ILogger
                {
                    ILogger ForContext(string propertyName, object? value, bool destructureObjects = false);

                    /*write*/
                    void Write(LogEvent logEvent);

                    /*read*/
                    bool IsEnabled(LogEventLevel level);

                    /*write*/
                    [MessageTemplateFormatMethod("messageTemplate")]
                    void Information(string messageTemplate, params object?[]? propertyValues);

                    /*write*/
                    [MessageTemplateFormatMethod("messageTemplate")]
                    void Error(Exception? exception, string messageTemplate, params object?[]? propertyValues);
                }
            }
            """),

        new("IMapper", "AutoMapper: AutoMapper.IMapperBase (subset)", Usings + """
            namespace AutoMapper
            {
                /*iface*/
                public interface IMapperBase
                {
                    /*read*/
                    TDestination Map<TDestination>(object source);

                    /*read*/
                    TDestination Map<TSource, TDestination>(TSource source);

                    /*read*/
                    TDestination Map<TSource, TDestination>(TSource source, TDestination destination);

                    /*read*/
                    object Map(object source, Type sourceType, Type destinationType);
                }
            }
            """),

        new("IHttpContextAccessor", "Microsoft.AspNetCore.Http.Abstractions: Microsoft.AspNetCore.Http.IHttpContextAccessor", Usings + """
            namespace Microsoft.AspNetCore.Http
            {
                public abstract class HttpContext { }

                /*iface*/
                public interface IHttpContextAccessor
                {
                    HttpContext? HttpContext { get; set; }
                }
            }
            """),

        new("IServiceScopeFactory-ish", "Microsoft.Extensions.DependencyInjection.Abstractions: a user interface over System.IServiceProvider and IKeyedServiceProvider (the real ones are referenced)", Usings + """
            namespace Corpus.DependencyInjection
            {
                using Microsoft.Extensions.DependencyInjection;

                /*iface*/
                public interface IResolver : IServiceProvider, IKeyedServiceProvider, IServiceScopeFactory, IAsyncDisposable
                {
                    /*read*/
                    object? Resolve(Type serviceType, object? serviceKey = null);
                }
            }
            """),

        new("IDbConnectionFactory", "ServiceStack.OrmLite: ServiceStack.Data.IDbConnectionFactory", Usings + """
            namespace ServiceStack.Data
            {
                using System.Data;

                /*iface*/
                public interface IDbConnectionFactory
                {
                    /*read*/
                    IDbConnection OpenDbConnection();

                    /*read*/
                    Task<IDbConnection> OpenDbConnectionAsync(CancellationToken token = default);

                    IDbConnection CreateDbConnection();
                }
            }
            """),

        new("IBlobStore (nullable-oblivious, nullable disabled)", "A user's storage interface in a file that disables nullable, with null defaults (as in pre-C# 8 libraries such as Orleans 3 and Octokit)", """
            #nullable disable
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Storage.Blobs
            {
                /*iface*/
                public interface IBlobStore
                {
                    /*read*/ /*download*/
                    Task<Stream> DownloadAsync(string container, string name, string versionId = null, CancellationToken cancellationToken = default);

                    /*write*/
                    Task UploadAsync(string container, string name, Stream content, string contentType = null, CancellationToken cancellationToken = default);

                    /*read*/
                    string GetUrl(string container, string name, string sasToken = null);

                    Task<Stream> Empty(string container, string name, Exception error);
                }
            }
            """,
            Annotation.Of("fallback on DownloadAsync", Array.Empty<string>(), ("download", "[Fallback(nameof(Empty))]"))),

        new("IMessageSession", "NServiceBus 10.x: NServiceBus.IMessageSession (its generic overloads' type parameters carry [DynamicallyAccessedMembers] over an internal const of IMessageCreator)", Usings + """
            namespace NServiceBus
            {
                public abstract class ExtendableOptions { }
                public class SendOptions : ExtendableOptions { }
                public class PublishOptions : ExtendableOptions { }
                public class SubscribeOptions : ExtendableOptions { }
                public class UnsubscribeOptions : ExtendableOptions { }

                public interface IMessageCreator
                {
                    internal const DynamicallyAccessedMemberTypes CreatorMembersRequired = DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors;

                    T CreateInstance<[DynamicallyAccessedMembers(CreatorMembersRequired)] T>();

                    T CreateInstance<[DynamicallyAccessedMembers(CreatorMembersRequired)] T>(Action<T> action);

                    object CreateInstance([DynamicallyAccessedMembers(CreatorMembersRequired)] Type messageType);
                }

                /*iface*/
                public interface IMessageSession
                {
                    /*write*/
                    Task Send(object message, SendOptions sendOptions, CancellationToken cancellationToken = default);

                    /*write*/ /*sendt*/
                    Task Send<[DynamicallyAccessedMembers(IMessageCreator.CreatorMembersRequired)] T>(Action<T> messageConstructor, SendOptions sendOptions, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Publish(object message, PublishOptions publishOptions, CancellationToken cancellationToken = default);

                    /*write*/
                    Task Publish<[DynamicallyAccessedMembers(IMessageCreator.CreatorMembersRequired)] T>(Action<T> messageConstructor, PublishOptions publishOptions, CancellationToken cancellationToken = default);

                    Task Subscribe(Type eventType, SubscribeOptions subscribeOptions, CancellationToken cancellationToken = default);

                    Task Unsubscribe(Type eventType, UnsubscribeOptions unsubscribeOptions, CancellationToken cancellationToken = default);
                }
            }
            """,
            Annotation.Of("retry + timeout on the generic Send<T>", Array.Empty<string>(),
                ("sendt", "[Retry(MaxRetries = 3, DelayMs = 100)] [Timeout(5_000)]"))),

        new("EasyNetQ IPubSub+IRpc", "EasyNetQ 8.x (nullable-oblivious): EasyNetQ.IPubSub and EasyNetQ.IRpc", "#nullable disable\n" + Usings + """
            namespace EasyNetQ
            {
                public interface IPublishConfiguration { IPublishConfiguration WithTopic(string topic); }
                public interface ISubscriptionConfiguration { ISubscriptionConfiguration WithPrefetchCount(ushort prefetchCount); }
                public interface IRequestConfiguration { IRequestConfiguration WithExpiration(TimeSpan expiration); }
                public interface IResponderConfiguration { IResponderConfiguration WithPrefetchCount(ushort prefetchCount); }

                public readonly struct SubscriptionResult : IAsyncDisposable
                {
                    private readonly IAsyncDisposable consumerCancellation;
                    public SubscriptionResult(IAsyncDisposable consumerCancellation) => this.consumerCancellation = consumerCancellation;
                    public ValueTask DisposeAsync() => consumerCancellation.DisposeAsync();
                }

                /*iface*/
                public interface IPubSub
                {
                    /*write*/
                    Task PublishAsync<T>(
                        T message,
                        Action<IPublishConfiguration> configure,
                        CancellationToken cancellationToken = default
                    );

                    /*subscribe*/
                    Task<SubscriptionResult> SubscribeAsync<T>(
                        string subscriptionId,
                        Func<T, CancellationToken, Task> onMessage,
                        Action<ISubscriptionConfiguration> configure,
                        CancellationToken cancellationToken = default
                    );
                }

                /*rpc*/
                public interface IRpc
                {
                    /*request*/
                    Task<TResponse> RequestAsync<TRequest, TResponse>(
                        TRequest request,
                        Action<IRequestConfiguration> configure,
                        CancellationToken cancellationToken = default
                    );

                    Task<IAsyncDisposable> RespondAsync<TRequest, TResponse>(
                        Func<TRequest, CancellationToken, Task<TResponse>> responder,
                        Action<IResponderConfiguration> configure,
                        CancellationToken cancellationToken = default
                    );
                }

                public static class RpcFallbacks
                {
                    public static Task<TResponse> NoResponder<TRequest, TResponse>(TRequest request, Exception error) => Task.FromResult(default(TResponse));
                }
            }
            """,
            Annotation.Of("retry + breaker on SubscribeAsync (a struct result)", Array.Empty<string>(),
                ("subscribe", "[Retry(MaxRetries = 5, DelayMs = 1_000)] [CircuitBreaker(FailureThreshold = 3)]")),
            Annotation.Of("IRpc: timeout + two-type-parameter static fallback on RequestAsync", Array.Empty<string>(),
                ("rpc", "[Bulkhead(MaxConcurrency = 4)]"),
                ("request", "[Timeout(10_000)] [Fallback(typeof(RpcFallbacks), nameof(RpcFallbacks.NoResponder))]"))),

        new("Grpc streams", "Grpc.Core.Api 2.x: Grpc.Core.IAsyncStreamReader<out T>, IAsyncStreamWriter<in T> (with its netstandard2.1+ default member) and IClientStreamWriter<in T>", Usings + """
            namespace Grpc.Core
            {
                [Flags]
                public enum WriteFlags { BufferHint = 0x1, NoCompress = 0x2 }

                public sealed class WriteOptions
                {
                    public static readonly WriteOptions Default = new WriteOptions();
                    public WriteOptions(WriteFlags flags = default) => Flags = flags;
                    public WriteFlags Flags { get; }
                }

                /*iface*/
                public interface IAsyncStreamReader<out T>
                {
                    T Current { get; }

                    /*read*/
                    Task<bool> MoveNext(CancellationToken cancellationToken);
                }

                public interface IAsyncStreamWriter<in T>
                {
                    Task WriteAsync(T message);

                    /*writewithtoken*/
                    Task WriteAsync(T message, CancellationToken cancellationToken)
                    {
                        if (cancellationToken.CanBeCanceled)
                        {
                            throw new NotSupportedException("Cancellation of stream writes is not supported by this gRPC implementation.");
                        }

                        return WriteAsync(message);
                    }

                    WriteOptions? WriteOptions { get; set; }
                }

                public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
                {
                    /*write*/ /*complete*/
                    Task CompleteAsync();
                }
            }
            """,
            Annotation.Of("timeout on the default member WriteAsync(T, CancellationToken)", Array.Empty<string>(),
                ("writewithtoken", "[Timeout(1_000)]")),
            Annotation.Of("timeout on CompleteAsync (no token)", new[] { "RES0012" }, ("complete", "[Timeout(1_000)]"))),

        new("IMongoCollection", "MongoDB.Driver 3.x (nullable-oblivious): MongoDB.Driver.IMongoCollection<TDocument> (subset; FilterDefinition<T> with its implicit operators)", """
            #nullable disable
            using System;
            using System.Collections.Generic;
            using System.Linq.Expressions;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace MongoDB.Bson
            {
                public sealed class BsonDocument { }

                public sealed class BsonJavaScript
                {
                    public BsonJavaScript(string code) => Code = code;
                    public string Code { get; }
                }
            }

            namespace MongoDB.Driver
            {
                using MongoDB.Bson;

                public sealed class CollectionNamespace
                {
                    public CollectionNamespace(string databaseName, string collectionName) => FullName = databaseName + "." + collectionName;
                    public string FullName { get; }
                }

                public sealed class MongoCollectionSettings { }
                public sealed class ReadConcern { }
                public interface IClientSessionHandle : IDisposable { }

                public interface IAsyncCursor<out TDocument> : IDisposable, IAsyncDisposable
                {
                    IEnumerable<TDocument> Current { get; }
                    bool MoveNext(CancellationToken cancellationToken = default(CancellationToken));
                    Task<bool> MoveNextAsync(CancellationToken cancellationToken = default(CancellationToken));
                }

                public interface IChangeStreamCursor<out TDocument> : IAsyncCursor<TDocument>
                {
                    BsonDocument GetResumeToken();
                }

                public abstract class FilterDefinition<TDocument>
                {
                    public static FilterDefinition<TDocument> Empty => new JsonFilterDefinition<TDocument>("{}");
                    public static implicit operator FilterDefinition<TDocument>(BsonDocument document) => new JsonFilterDefinition<TDocument>("{}");
                    public static implicit operator FilterDefinition<TDocument>(Expression<Func<TDocument, bool>> predicate) => new ExpressionFilterDefinition<TDocument>(predicate);
                    public static implicit operator FilterDefinition<TDocument>(string json) => new JsonFilterDefinition<TDocument>(json);
                    public static FilterDefinition<TDocument> operator &(FilterDefinition<TDocument> lhs, FilterDefinition<TDocument> rhs) => lhs;
                }

                public sealed class ExpressionFilterDefinition<TDocument> : FilterDefinition<TDocument>
                {
                    public ExpressionFilterDefinition(Expression<Func<TDocument, bool>> expression) => Expression = expression;
                    public Expression<Func<TDocument, bool>> Expression { get; }
                }

                public sealed class JsonFilterDefinition<TDocument> : FilterDefinition<TDocument>
                {
                    public JsonFilterDefinition(string json) => Json = json;
                    public string Json { get; }
                }

                public abstract class UpdateDefinition<TDocument>
                {
                    public static implicit operator UpdateDefinition<TDocument>(string json) => new JsonUpdateDefinition<TDocument>(json);
                }

                public sealed class JsonUpdateDefinition<TDocument> : UpdateDefinition<TDocument>
                {
                    public JsonUpdateDefinition(string json) => Json = json;
                    public string Json { get; }
                }

                public abstract class PipelineDefinition<TInput, TOutput> { }
                public sealed class ChangeStreamDocument<TDocument> { public TDocument FullDocument { get; init; } }

                public class CountOptions { public long? Limit { get; set; } }
                public sealed class DeleteOptions { }
                public class FindOptions<TDocument, TProjection> { public int? BatchSize { get; set; } }
                public sealed class FindOneAndUpdateOptions<TDocument, TProjection> { public bool? IsUpsert { get; set; } }
                public sealed class InsertOneOptions { public bool? BypassDocumentValidation { get; set; } }
                public class UpdateOptions { public bool IsUpsert { get; set; } }
                public class UpdateOptions<TDocument> : UpdateOptions { }
                public sealed class ChangeStreamOptions { }
                public sealed class MapReduceOptions<TDocument, TResult> { }
                public abstract class DeleteResult { public abstract long DeletedCount { get; } }
                public abstract class UpdateResult { public abstract long ModifiedCount { get; } }
                public sealed class InsertOneResult { }

                public interface IFilteredMongoCollection<TDocument> : IMongoCollection<TDocument>
                {
                    FilterDefinition<TDocument> Filter { get; }
                }

                /*iface*/
                public interface IMongoCollection<TDocument> // TODO: derive from IMongoCollection in 4.0
                {
                    CollectionNamespace CollectionNamespace { get; }

                    MongoCollectionSettings Settings { get; }

                    /*read*/
                    long CountDocuments(FilterDefinition<TDocument> filter, CountOptions options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/ /*count*/
                    Task<long> CountDocumentsAsync(FilterDefinition<TDocument> filter, CountOptions options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/
                    Task<long> CountDocumentsAsync(IClientSessionHandle session, FilterDefinition<TDocument> filter, CountOptions options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteResult> DeleteOneAsync(FilterDefinition<TDocument> filter, CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteResult> DeleteOneAsync(FilterDefinition<TDocument> filter, DeleteOptions options, CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteResult> DeleteOneAsync(IClientSessionHandle session, FilterDefinition<TDocument> filter, DeleteOptions options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/ /*find*/
                    Task<IAsyncCursor<TProjection>> FindAsync<TProjection>(FilterDefinition<TDocument> filter, FindOptions<TDocument, TProjection> options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<TProjection> FindOneAndUpdateAsync<TProjection>(FilterDefinition<TDocument> filter, UpdateDefinition<TDocument> update, FindOneAndUpdateOptions<TDocument, TProjection> options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<InsertOneResult> InsertOneAsync(TDocument document, InsertOneOptions options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*mapreduce*/
                    [Obsolete("Use Aggregation pipeline instead.")]
                    Task<IAsyncCursor<TResult>> MapReduceAsync<TResult>(BsonJavaScript map, BsonJavaScript reduce, MapReduceOptions<TDocument, TResult> options = null, CancellationToken cancellationToken = default(CancellationToken));

                    IFilteredMongoCollection<TDerivedDocument> OfType<TDerivedDocument>() where TDerivedDocument : TDocument;

                    /*write*/
                    Task<UpdateResult> UpdateOneAsync(FilterDefinition<TDocument> filter, UpdateDefinition<TDocument> update, UpdateOptions<TDocument> options = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/
                    Task<IChangeStreamCursor<TResult>> WatchAsync<TResult>(
                        PipelineDefinition<ChangeStreamDocument<TDocument>, TResult> pipeline,
                        ChangeStreamOptions options = null,
                        CancellationToken cancellationToken = default(CancellationToken));

                    IMongoCollection<TDocument> WithReadConcern(ReadConcern readConcern);
                }

                public static class CursorFallbacks
                {
                    public static Task<IAsyncCursor<TProjection>> NoDocuments<TProjection>(Exception error) => Task.FromResult<IAsyncCursor<TProjection>>(new EmptyCursor<TProjection>());

                    private sealed class EmptyCursor<T> : IAsyncCursor<T>
                    {
                        public IEnumerable<T> Current => Array.Empty<T>();
                        public bool MoveNext(CancellationToken cancellationToken = default(CancellationToken)) => false;
                        public Task<bool> MoveNextAsync(CancellationToken cancellationToken = default(CancellationToken)) => Task.FromResult(false);
                        public void Dispose() { }
                        public ValueTask DisposeAsync() => default;
                    }
                }
            }
            """,
            Annotation.Of("static generic fallback on FindAsync<TProjection>", Array.Empty<string>(),
                ("find", "[Fallback(typeof(CursorFallbacks), nameof(CursorFallbacks.NoDocuments))]")),
            Annotation.Of("retry on the obsolete MapReduceAsync", Array.Empty<string>(), ("mapreduce", "[Retry(MaxRetries = 2)]")),
            // The key is every parameter: FilterDefinition<T> and CountOptions have no value-based ToString.
            Annotation.Of("cache fallback keyed by a FilterDefinition", new[] { "RES0021" }, ("count", "[CacheFallback(TtlMs = 5_000)]"))),

        new("IAmazonS3", "AWSSDK.S3 4.x for net8.0 (nullable-oblivious): Amazon.S3.IAmazonS3 (subset of both partial declarations) : IAmazonService (with its NET8_0_OR_GREATER static abstract factories), ICoreAmazonS3", """
            #nullable disable
            using System;
            using System.Collections.Generic;
            using System.Diagnostics.CodeAnalysis;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Amazon.Runtime
            {
                public interface IClientConfig
                {
                    string ServiceURL { get; }
                }

                public abstract class ClientConfig : IClientConfig
                {
                    public string ServiceURL { get; set; }
                }

                public abstract class AWSCredentials { }
                public abstract class AmazonWebServiceRequest { }

                public class AmazonWebServiceResponse
                {
                    public System.Net.HttpStatusCode HttpStatusCode { get; set; }
                }

                public interface IAmazonService
                {
                    IClientConfig Config
                    {
                        get;
                    }

                    static abstract ClientConfig CreateDefaultClientConfig();

                    [UnconditionalSuppressMessage("AssemblyLoadTrimming", "IL2026:RequiresUnreferencedCode",
                Justification = "This suppression is here to ignore the warnings caused by CognitoSync. All other service clients have been confirmed to be trim safe.")]
                    static abstract IAmazonService CreateDefaultServiceClient(AWSCredentials awsCredentials, ClientConfig clientConfig);
                }
            }

            namespace Amazon.Runtime.SharedInterfaces
            {
                public interface ICoreAmazonS3
                {
                    string GeneratePreSignedURL(string bucketName, string objectKey, DateTime expiration, IDictionary<string, object> additionalProperties);

                    Task<Stream> GetObjectStreamAsync(string bucketName, string objectKey, IDictionary<string, object> additionalProperties, CancellationToken cancellationToken = default(CancellationToken));

                    Task<bool> DoesS3BucketExistV2Async(string bucketName);
                }
            }

            namespace Amazon.S3.Model
            {
                using Amazon.Runtime;

                public class GetObjectRequest : AmazonWebServiceRequest
                {
                    public string BucketName { get; set; }
                    public string Key { get; set; }
                    public string VersionId { get; set; }
                }

                public class GetObjectResponse : AmazonWebServiceResponse, IDisposable
                {
                    public Stream ResponseStream { get; set; }
                    public void Dispose() => ResponseStream?.Dispose();
                }

                public class DeleteObjectRequest : AmazonWebServiceRequest
                {
                    public string BucketName { get; set; }
                    public string Key { get; set; }
                    public string VersionId { get; set; }
                }

                public class DeleteObjectResponse : AmazonWebServiceResponse { }

                public class PutObjectRequest : AmazonWebServiceRequest
                {
                    public string BucketName { get; set; }
                    public string Key { get; set; }
                    public Stream InputStream { get; set; }
                }

                public class PutObjectResponse : AmazonWebServiceResponse { }

                public class GetPreSignedUrlRequest
                {
                    public string BucketName { get; set; }
                    public string Key { get; set; }
                    public DateTime Expires { get; set; }
                }
            }

            namespace Amazon.S3
            {
                using Amazon.Runtime;
                using Amazon.S3.Model;

                /*iface*/
                public partial interface IAmazonS3 : IAmazonService, IDisposable
                {
                    /*read*/
                    Task<GetObjectResponse> GetObjectAsync(string bucketName, string key, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/
                    Task<GetObjectResponse> GetObjectAsync(string bucketName, string key, string versionId, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*read*/
                    Task<GetObjectResponse> GetObjectAsync(GetObjectRequest request, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteObjectResponse> DeleteObjectAsync(string bucketName, string key, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteObjectResponse> DeleteObjectAsync(string bucketName, string key, string versionId, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeleteObjectResponse> DeleteObjectAsync(DeleteObjectRequest request, System.Threading.CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, System.Threading.CancellationToken cancellationToken = default(CancellationToken));
                }

                public partial interface IAmazonS3 : IDisposable, Amazon.Runtime.SharedInterfaces.ICoreAmazonS3
                {
                    string GetPreSignedURL(GetPreSignedUrlRequest request);
                }
            }
            """),

        new("IChannel", "RabbitMQ.Client 7.2: RabbitMQ.Client.IChannel (subset: events of its own AsyncEventHandler<in TEvent>, generic BasicPublishAsync with two interface constraints, an [Obsolete] overload beside its replacement)", Usings + """
            namespace RabbitMQ.Client.Events
            {
                public class AsyncEventArgs
                {
                    public AsyncEventArgs(CancellationToken cancellationToken = default) => CancellationToken = cancellationToken;
                    public CancellationToken CancellationToken { get; }
                }

                public delegate Task AsyncEventHandler<in TEvent>(object sender, TEvent @event) where TEvent : AsyncEventArgs;

                public class BasicAckEventArgs : AsyncEventArgs { public ulong DeliveryTag { get; init; } }
                public class BasicNackEventArgs : AsyncEventArgs { public ulong DeliveryTag { get; init; } }
            }

            namespace RabbitMQ.Client
            {
                using RabbitMQ.Client.Events;

                public interface IAmqpWriteable
                {
                    int GetRequiredBufferSize();
                    int WriteTo(Span<byte> span);
                }

                public interface IAmqpHeader : IAmqpWriteable
                {
                    ushort ProtocolClassId { get; }
                }

                public interface IReadOnlyBasicProperties
                {
                    string? ContentType { get; }
                    bool IsContentTypePresent();
                }

                public sealed class CachedString
                {
                    public readonly string Value;
                    public CachedString(string value) => Value = value;
                }

                public class ShutdownEventArgs : AsyncEventArgs
                {
                    public ShutdownEventArgs(ushort replyCode, string replyText) { ReplyCode = replyCode; ReplyText = replyText; }
                    public ushort ReplyCode { get; }
                    public string ReplyText { get; }
                }

                public sealed class BasicGetResult
                {
                    public BasicGetResult(ulong deliveryTag, ReadOnlyMemory<byte> body) { DeliveryTag = deliveryTag; Body = body; }
                    public readonly ReadOnlyMemory<byte> Body;
                    public readonly ulong DeliveryTag;
                }

                public class QueueDeclareOk
                {
                    public QueueDeclareOk(string queueName, uint messageCount, uint consumerCount) { QueueName = queueName; MessageCount = messageCount; ConsumerCount = consumerCount; }
                    public readonly string QueueName;
                    public readonly uint MessageCount;
                    public readonly uint ConsumerCount;
                }

                public interface IAsyncBasicConsumer
                {
                    IChannel? Channel { get; }
                    Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default);
                }

                /*iface*/
                public interface IChannel : IAsyncDisposable, IDisposable
                {
                    int ChannelNumber { get; }

                    ShutdownEventArgs? CloseReason { get; }

                    IAsyncBasicConsumer? DefaultConsumer { get; set; }

                    bool IsOpen { get; }

                    event AsyncEventHandler<BasicAckEventArgs> BasicAcksAsync;

                    event AsyncEventHandler<BasicNackEventArgs> BasicNacksAsync;

                    ValueTask<ulong> GetNextPublishSequenceNumberAsync(CancellationToken cancellationToken = default);

                    /*write*/
                    ValueTask BasicAckAsync(ulong deliveryTag, bool multiple,
                        CancellationToken cancellationToken = default);

                    /*read*/
                    Task<BasicGetResult?> BasicGetAsync(string queue, bool autoAck,
                        CancellationToken cancellationToken = default);

                    /*write*/ /*publish*/
                    ValueTask BasicPublishAsync<TProperties>(string exchange, string routingKey,
                        bool mandatory, TProperties basicProperties, ReadOnlyMemory<byte> body,
                        CancellationToken cancellationToken = default)
                        where TProperties : IReadOnlyBasicProperties, IAmqpHeader;

                    /*write*/
                    ValueTask BasicPublishAsync<TProperties>(CachedString exchange, CachedString routingKey,
                        bool mandatory, TProperties basicProperties, ReadOnlyMemory<byte> body,
                        CancellationToken cancellationToken = default)
                        where TProperties : IReadOnlyBasicProperties, IAmqpHeader;

                    /*write*/
                    Task CloseAsync(ushort replyCode, string replyText, bool abort,
                        CancellationToken cancellationToken = default);

                    Task CloseAsync(ShutdownEventArgs reason, bool abort);

                    /*obsoleteclose*/
                    [Obsolete("7.2.0 - cancellationToken is ignored")]
                    Task CloseAsync(ShutdownEventArgs reason, bool abort,
                        CancellationToken cancellationToken = default);

                    /*write*/
                    Task<QueueDeclareOk> QueueDeclareAsync(string queue, bool durable, bool exclusive, bool autoDelete,
                        IDictionary<string, object?>? arguments = null, bool passive = false, bool noWait = false,
                        CancellationToken cancellationToken = default);

                    /*read*/
                    Task<uint> MessageCountAsync(string queue, CancellationToken cancellationToken = default);

                    TimeSpan ContinuationTimeout { get; set; }
                }
            }
            """,
            Annotation.Of("retry + timeout + keyed rate limit on the generic BasicPublishAsync<TProperties>", Array.Empty<string>(),
                ("publish", "[Retry(MaxRetries = 2, DelayMs = 20)] [Timeout(2_000)] [RateLimit(PermitLimit = 1_000, KeyParameter = \"exchange\")]")),
            Annotation.Of("retry on the [Obsolete] CloseAsync overload", Array.Empty<string>(), ("obsoleteclose", "[Retry(MaxRetries = 1)]"))),

        new("IProducer", "Confluent.Kafka 2.15 (nullable-oblivious): Confluent.Kafka.IProducer<TKey, TValue> : IClient (overloads of Flush that differ in return type, synchronous Produce with a null default delegate)", "#nullable disable\n" + Usings + """
            namespace Confluent.Kafka
            {
                public class Handle { }
                public interface IConsumerGroupMetadata { }

                public class TopicPartition
                {
                    public TopicPartition(string topic, int partition) { Topic = topic; Partition = partition; }
                    public string Topic { get; }
                    public int Partition { get; }
                    public override bool Equals(object obj) => obj is TopicPartition other && other.Topic == Topic && other.Partition == Partition;
                    public override int GetHashCode() => HashCode.Combine(Topic, Partition);
                    public override string ToString() => $"{Topic} [{Partition}]";
                }

                public class TopicPartitionOffset
                {
                    public TopicPartitionOffset(TopicPartition topicPartition, long offset) { TopicPartition = topicPartition; Offset = offset; }
                    public TopicPartition TopicPartition { get; }
                    public long Offset { get; }
                }

                public class Message<TKey, TValue>
                {
                    public TKey Key { get; set; }
                    public TValue Value { get; set; }
                }

                public class DeliveryResult<TKey, TValue>
                {
                    public string Topic { get; set; }
                    public Message<TKey, TValue> Message { get; set; }
                }

                public class DeliveryReport<TKey, TValue> : DeliveryResult<TKey, TValue> { }

                public interface IClient : IDisposable
                {
                    Handle Handle { get; }
                    string Name { get; }
                    int AddBrokers(string brokers);
                    void SetSaslCredentials(string username, string password);
                }

                /*iface*/
                public interface IProducer<TKey, TValue> : IClient
                {
                    /*write*/ /*produce*/
                    Task<DeliveryResult<TKey, TValue>> ProduceAsync(
                        string topic,
                        Message<TKey, TValue> message,
                        CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    Task<DeliveryResult<TKey, TValue>> ProduceAsync(
                        TopicPartition topicPartition,
                        Message<TKey, TValue> message,
                        CancellationToken cancellationToken = default(CancellationToken));

                    /*write*/
                    void Produce(
                        string topic,
                        Message<TKey, TValue> message,
                        Action<DeliveryReport<TKey, TValue>> deliveryHandler = null);

                    void Produce(
                        TopicPartition topicPartition,
                        Message<TKey, TValue> message,
                        Action<DeliveryReport<TKey, TValue>> deliveryHandler = null);

                    int Poll(TimeSpan timeout);

                    int Flush(TimeSpan timeout);

                    /*flush*/
                    void Flush(CancellationToken cancellationToken = default(CancellationToken));

                    void InitTransactions(TimeSpan timeout);

                    void BeginTransaction();

                    void CommitTransaction(TimeSpan timeout);

                    void CommitTransaction();

                    void AbortTransaction(TimeSpan timeout);

                    void AbortTransaction();

                    void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout);
                }
            }
            """,
            Annotation.Of("retry + timeout + breaker per topic on ProduceAsync(string, ...)", Array.Empty<string>(),
                ("produce", "[Retry(MaxRetries = 3, DelayMs = 100)] [Timeout(5_000)] [CircuitBreaker(FailureThreshold = 3, KeyParameter = \"topic\")]")),
            Annotation.Of("timeout on the synchronous Flush(CancellationToken)", new[] { "RES0013" }, ("flush", "[Timeout(10_000)]"))),

        new("IDbConnection-ish", "System.Data.Common: a user interface over System.Data.IDbConnection (the real one is referenced: [AllowNull] ConnectionString) with DbConnection's async members", Usings + """
            namespace Corpus.Data
            {
                using System.Data;
                using System.Data.Common;

                /*iface*/
                public interface IDbSession : IDbConnection, IAsyncDisposable
                {
                    /*read*/
                    Task OpenAsync(CancellationToken cancellationToken);

                    /*write*/
                    ValueTask<DbTransaction> BeginTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken = default);

                    /*write*/
                    Task ChangeDatabaseAsync(string databaseName, CancellationToken cancellationToken = default);

                    /*close*/
                    Task CloseAsync();
                }
            }
            """,
            Annotation.Of("timeout on CloseAsync (no token)", new[] { "RES0012" }, ("close", "[Timeout(1_000)]"))),

        new("Elasticsearch IConnection", "Elasticsearch.Net 7.x (nullable-oblivious): Elasticsearch.Net.IConnection (generic methods constrained 'class, IElasticsearchResponse, new()')", "#nullable disable\n" + Usings + """
            namespace Elasticsearch.Net
            {
                public interface IApiCallDetails
                {
                    bool Success { get; }
                    int? HttpStatusCode { get; }
                }

                public interface IElasticsearchResponse
                {
                    IApiCallDetails ApiCall { get; set; }
                }

                public class RequestData
                {
                    public string PathAndQuery { get; set; }
                    public TimeSpan RequestTimeout { get; set; }
                }

                /*iface*/
                public interface IConnection : IDisposable
                {
                    /*read*/
                    TResponse Request<TResponse>(RequestData requestData)
                        where TResponse : class, IElasticsearchResponse, new();

                    /*read*/ /*requestasync*/
                    Task<TResponse> RequestAsync<TResponse>(RequestData requestData, CancellationToken cancellationToken)
                        where TResponse : class, IElasticsearchResponse, new();
                }

                public static class ConnectionFallbacks
                {
                    public static Task<TResponse> Unavailable<TResponse>(RequestData requestData, Exception error)
                        where TResponse : class, IElasticsearchResponse, new()
                        => Task.FromResult(new TResponse());
                }
            }
            """,
            Annotation.Of("hedge + generic fallback with the method's constraints on RequestAsync", Array.Empty<string>(),
                ("requestasync", "[Hedge(DelayMs = 500)] [Fallback(typeof(ConnectionFallbacks), nameof(ConnectionFallbacks.Unavailable))]"))),

        new("IDistributedLock", "DistributedLock.Core 1.x: Medallion.Threading.IDistributedLock and IDistributedLockProvider (TimeSpan timeout = default beside TimeSpan? timeout = null)", Usings + """
            namespace Medallion.Threading
            {
                public interface IDistributedSynchronizationHandle
                    : IDisposable, IAsyncDisposable
                {
                    CancellationToken HandleLostToken { get; }
                }

                /*iface*/
                public interface IDistributedLock
                {
                    string Name { get; }

                    IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default);

                    IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

                    /*read*/ /*tryacquireasync*/
                    ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default);

                    /*read*/ /*acquireasync*/
                    ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);
                }

                /*provider*/
                public interface IDistributedLockProvider
                {
                    IDistributedLock CreateLock(string name);
                }

                public static class LockFallbacks
                {
                    public static ValueTask<IDistributedSynchronizationHandle?> NotAcquired(TimeSpan timeout, Exception error) => default;
                }
            }
            """,
            Annotation.Of("retry + timeout on AcquireAsync (a parameter named timeout)", Array.Empty<string>(),
                ("acquireasync", "[Retry(MaxRetries = 2, DelayMs = 100)] [Timeout(30_000)]")),
            Annotation.Of("breaker + fallback to 'not acquired' on TryAcquireAsync", Array.Empty<string>(),
                ("tryacquireasync", "[CircuitBreaker(FailureThreshold = 3)] [Fallback(typeof(LockFallbacks), nameof(LockFallbacks.NotAcquired))]")),
            Annotation.Of("retry on the synchronous provider's CreateLock", Array.Empty<string>(), ("provider", "[Retry(MaxRetries = 1, DelayMs = 0)]"))),
        new("ISendGridClient", "SendGrid 9.x (nullable-oblivious): SendGrid.ISendGridClient (a nested enum type in a parameter, null string defaults, settable properties)", """
            #nullable disable
            using System;
            using System.Collections.Generic;
            using System.Net;
            using System.Net.Http;
            using System.Net.Http.Headers;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace SendGrid.Helpers.Mail
            {
                public class SendGridMessage
                {
                    public string Subject { get; set; }
                }
            }

            namespace SendGrid
            {
                using SendGrid.Helpers.Mail;

                public class Response
                {
                    public HttpStatusCode StatusCode { get; set; }

                    public bool IsSuccessStatusCode => (int)StatusCode >= 200 && (int)StatusCode < 300;
                }

                public class BaseClient
                {
                    public enum Method
                    {
                        DELETE,
                        GET,
                        PATCH,
                        POST,
                        PUT,
                    }
                }

                /*iface*/
                public interface ISendGridClient
                {
                    string UrlPath { get; set; }

                    string Version { get; set; }

                    string MediaType { get; set; }

                    AuthenticationHeaderValue AddAuthorization(KeyValuePair<string, string> header);

                    Task<Response> MakeRequest(HttpRequestMessage request, CancellationToken cancellationToken = default(CancellationToken));

                    /*request*/
                    Task<Response> RequestAsync(BaseClient.Method method, string requestBody = null, string queryParams = null, string urlPath = null, CancellationToken cancellationToken = default(CancellationToken));

                    /*send*/
                    Task<Response> SendEmailAsync(SendGridMessage msg, CancellationToken cancellationToken = default(CancellationToken));
                }
            }
            """,
            Annotation.Of("rate limit + bulkhead + timeout + retry on SendEmailAsync (the limit's clock reading serves the timeout)", Array.Empty<string>(),
                ("send", "[RateLimit(PermitLimit = 600, WindowMs = 60_000)] [Bulkhead(MaxConcurrency = 8, MaxQueue = 64)] [Timeout(10_000)] [Retry(MaxRetries = 2, DelayMs = 500)]")),
            Annotation.Of("a rate limit per HTTP method (a nested enum) with a timeout on RequestAsync", Array.Empty<string>(),
                ("request", "[RateLimit(PermitLimit = 100, KeyParameter = \"method\")] [Timeout(5_000)]")),
            Annotation.Of("a breaker on the whole interface, the synchronous AddAuthorization included", Array.Empty<string>(),
                ("iface", "[CircuitBreaker(FailureThreshold = 5)]"))),
        new("IStripeClient", "Stripe.net: Stripe.IStripeClient (usings inside the namespace block, a generic method constrained to an interface, a Stream result)", """
            namespace Stripe
            {
                using System;
                using System.IO;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;
                using Resilience;

                public interface IStripeEntity
                {
                }

                public class BaseOptions
                {
                }

                public class RequestOptions
                {
                    public string? IdempotencyKey { get; set; }
                }

                public static class StreamFallbacks
                {
                    public static Task<Stream> Empty(string path, Exception error) => Task.FromResult(Stream.Null);
                }

                /*iface*/
                public interface IStripeClient
                {
                    string ApiBase { get; }

                    string ApiKey { get; }

                    string ClientId { get; }

                    string ConnectBase { get; }

                    string FilesBase { get; }

                    string MeterEventsBase { get; }

                    /*request*/
                    Task<T> RequestAsync<T>(
                        HttpMethod method,
                        string path,
                        BaseOptions options,
                        RequestOptions requestOptions,
                        CancellationToken cancellationToken = default
                    )
                        where T : IStripeEntity;

                    /*stream*/
                    Task<Stream> RequestStreamingAsync(
                        HttpMethod method,
                        string path,
                        BaseOptions options,
                        RequestOptions requestOptions,
                        CancellationToken cancellationToken = default
                    );
                }
            }
            """,
            Annotation.Of("retry + timeout on the generic RequestAsync<T> (T : IStripeEntity)", Array.Empty<string>(),
                ("request", "[Retry(MaxRetries = 2, DelayMs = 500)] [Timeout(80_000)]")),
            Annotation.Of("a breaker and a fallback that answers an empty stream on RequestStreamingAsync", Array.Empty<string>(),
                ("stream", "[CircuitBreaker(FailureThreshold = 3)] [Fallback(typeof(StreamFallbacks), nameof(StreamFallbacks.Empty))]")),
            Annotation.Of("a breaker and a bulkhead on the whole interface (the six properties forward)", Array.Empty<string>(),
                ("iface", "[CircuitBreaker(FailureThreshold = 5)] [Bulkhead(MaxConcurrency = 16)]"))),
        new("IBackgroundJobClient", "Hangfire.Core: Hangfire.IBackgroundJobClient (synchronous, parameters marked with Hangfire's own NotNull/CanBeNull annotations, not nullable-annotated)", """
            using System;
            using Resilience;

            namespace Hangfire.Annotations
            {
                [AttributeUsage(AttributeTargets.Method | AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Delegate | AttributeTargets.Field)]
                public sealed class NotNullAttribute : Attribute
                {
                }

                [AttributeUsage(AttributeTargets.Method | AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Delegate | AttributeTargets.Field)]
                public sealed class CanBeNullAttribute : Attribute
                {
                }
            }

            namespace Hangfire.Common
            {
                public class Job
                {
                }
            }

            namespace Hangfire.States
            {
                public interface IState
                {
                    string Name { get; }
                }
            }

            namespace Hangfire
            {
                using Hangfire.Annotations;
                using Hangfire.Common;
                using Hangfire.States;

                /*iface*/
                public interface IBackgroundJobClient
                {
                    /*create*/
                    string Create([NotNull] Job job, [NotNull] IState state);

                    /*change*/
                    bool ChangeState([NotNull] string jobId, [NotNull] IState state, [CanBeNull] string expectedState);
                }
            }
            """,
            Annotation.Of("an immediate retry on Create and a breaker on ChangeState (synchronous, no delay)", Array.Empty<string>(),
                ("create", "[Retry(MaxRetries = 2, DelayMs = 0)]"),
                ("change", "[CircuitBreaker(FailureThreshold = 5)]")),
            Annotation.Of("a breaker and a bulkhead on the whole interface", Array.Empty<string>(),
                ("iface", "[CircuitBreaker(FailureThreshold = 5)] [Bulkhead(MaxConcurrency = 4)]"))),
        new("ITelegramBotClient", "Telegram.Bot 22.10: Telegram.Bot.ITelegramBotClient (events of its own AsyncEventHandler<in TArgs>, a delegate whose first parameter is the interface itself; a generic SendRequest<TResponse> over IRequest<TResponse>; DownloadFile overloads)", Usings + """
            namespace Telegram.Bot.Requests.Abstractions
            {
                using System.Net.Http;

                public interface IRequest
                {
                    HttpMethod HttpMethod { get; }

                    string MethodName { get; }

                    bool IsWebhookResponse { get; set; }

                    HttpContent? ToHttpContent();
                }

                public interface IRequest<TResponse> : IRequest;
            }

            namespace Telegram.Bot.Types
            {
                public abstract partial class FileBase
                {
                    public string FileId { get; set; } = default!;

                    public string FileUniqueId { get; set; } = default!;

                    public long? FileSize { get; set; }
                }

                public partial class TGFile : FileBase
                {
                    public string? FilePath { get; set; }
                }
            }

            namespace Telegram.Bot.Exceptions
            {
                public class ApiResponse
                {
                    public bool Ok { get; init; }

                    public string? Description { get; init; }

                    public int ErrorCode { get; init; }
                }

                public class ApiRequestException : Exception
                {
                    public ApiRequestException(string message, int errorCode) : base(message) => ErrorCode = errorCode;

                    public virtual int ErrorCode { get; }
                }

                public interface IExceptionParser
                {
                    ApiRequestException Parse(ApiResponse apiResponse);
                }
            }

            namespace Telegram.Bot.Args
            {
                using System.Net.Http;
                using Telegram.Bot.Requests.Abstractions;

                public class ApiRequestEventArgs(IRequest request, HttpRequestMessage? httpRequestMessage = default) : EventArgs
                {
                    public IRequest Request { get; } = request;

                    public HttpRequestMessage? HttpRequestMessage { get; } = httpRequestMessage;
                }

                public class ApiResponseEventArgs(HttpResponseMessage responseMessage, ApiRequestEventArgs apiRequestEventArgs)
                {
                    public HttpResponseMessage ResponseMessage { get; } = responseMessage;

                    public ApiRequestEventArgs ApiRequestEventArgs { get; } = apiRequestEventArgs;
                }
            }

            namespace Telegram.Bot
            {
                using System.IO;
                using Telegram.Bot.Args;
                using Telegram.Bot.Exceptions;
                using Telegram.Bot.Requests.Abstractions;
                using Telegram.Bot.Types;

                public delegate ValueTask AsyncEventHandler<in TArgs>(ITelegramBotClient botClient, TArgs args, CancellationToken cancellationToken = default);

                /*iface*/
                public interface ITelegramBotClient
                {
                    bool LocalBotServer { get; }

                    long BotId { get; }

                    TimeSpan Timeout { get; set; }

                    IExceptionParser ExceptionsParser { get; set; }

                    event AsyncEventHandler<ApiRequestEventArgs>? OnMakingApiRequest;

                    event AsyncEventHandler<ApiResponseEventArgs>? OnApiResponseReceived;

                    /*write*/ /*send*/
                    Task<TResponse> SendRequest<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default);

                    /*read*/ /*test*/
                    Task<bool> TestApi(CancellationToken cancellationToken = default);

                    /*read*/ /*download*/
                    Task DownloadFile(string filePath, Stream destination, CancellationToken cancellationToken = default);

                    /*read*/
                    Task DownloadFile(TGFile file, Stream destination, CancellationToken cancellationToken = default);
                }

                public static class BotFallbacks
                {
                    public static Task<bool> TokenUnverified(Exception error) => Task.FromResult(false);
                }
            }
            """,
            Annotation.Of("rate limit (30 a second) + bulkhead + retry + timeout on the generic SendRequest<TResponse>", Array.Empty<string>(),
                ("send", "[RateLimit(PermitLimit = 30, WindowMs = 1_000)] [Bulkhead(MaxConcurrency = 8, MaxQueue = 64)] [Retry(MaxRetries = 2, DelayMs = 1_000)] [Timeout(100_000)]")),
            Annotation.Of("a breaker and a fallback answering 'token unverified' on TestApi", Array.Empty<string>(),
                ("test", "[CircuitBreaker(FailureThreshold = 3)] [Fallback(typeof(BotFallbacks), nameof(BotFallbacks.TokenUnverified))]")),
            Annotation.Of("a rate limit per file path with a timeout on the string DownloadFile overload", Array.Empty<string>(),
                ("download", "[RateLimit(PermitLimit = 5, WindowMs = 60_000, KeyParameter = \"filePath\")] [Timeout(60_000)]"))),
        new("Discord IDiscordClient", "Discord.Net 2.x (nullable-oblivious): Discord.IDiscordClient : IDisposable (no CancellationToken anywhere, enum defaults written as a member of the library's own enum, ulong ids, an overload by id and by name, interface-typed results)", """
            #nullable disable
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Discord
            {
                public enum ConnectionState : byte
                {
                    Disconnected,
                    Connecting,
                    Connected,
                    Disconnecting,
                }

                public enum TokenType
                {
                    Bearer = 1,
                    Bot,
                    Webhook,
                }

                public enum CacheMode
                {
                    AllowDownload,
                    CacheOnly,
                }

                public class RequestOptions
                {
                    public static RequestOptions Default => new RequestOptions();

                    public int? Timeout { get; set; }

                    public CancellationToken CancelToken { get; set; } = CancellationToken.None;

                    public string AuditLogReason { get; set; }
                }

                public interface ISnowflakeEntity
                {
                    ulong Id { get; }

                    DateTimeOffset CreatedAt { get; }
                }

                public interface IUser : ISnowflakeEntity
                {
                    string Username { get; }

                    string Discriminator { get; }
                }

                public interface ISelfUser : IUser
                {
                    string Email { get; }
                }

                public interface IApplication : ISnowflakeEntity
                {
                    string Name { get; }
                }

                public interface IChannel : ISnowflakeEntity
                {
                    string Name { get; }
                }

                public interface IPrivateChannel : IChannel
                {
                    IReadOnlyCollection<IUser> Recipients { get; }
                }

                public interface IDMChannel : IPrivateChannel
                {
                    IUser Recipient { get; }
                }

                public interface IGroupChannel : IPrivateChannel
                {
                    Task LeaveAsync(RequestOptions options = null);
                }

                public interface IConnection
                {
                    string Id { get; }

                    string Type { get; }
                }

                public interface IGuild : ISnowflakeEntity
                {
                    string Name { get; }
                }

                public interface IInvite
                {
                    string Code { get; }
                }

                public interface IVoiceRegion
                {
                    string Id { get; }

                    string Name { get; }
                }

                /*iface*/
                public interface IDiscordClient : IDisposable
                {
                    ConnectionState ConnectionState { get; }
                    ISelfUser CurrentUser { get; }
                    TokenType TokenType { get; }

                    /*write*/
                    Task StartAsync();
                    /*write*/
                    Task StopAsync();

                    /*read*/
                    Task<IApplication> GetApplicationInfoAsync(RequestOptions options = null);

                    /*read*/
                    Task<IChannel> GetChannelAsync(ulong id, CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    /*read*/ /*private*/
                    Task<IReadOnlyCollection<IPrivateChannel>> GetPrivateChannelsAsync(CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    Task<IReadOnlyCollection<IDMChannel>> GetDMChannelsAsync(CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    Task<IReadOnlyCollection<IGroupChannel>> GetGroupChannelsAsync(CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);

                    Task<IReadOnlyCollection<IConnection>> GetConnectionsAsync(RequestOptions options = null);

                    /*read*/ /*guild*/
                    Task<IGuild> GetGuildAsync(ulong id, CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    Task<IReadOnlyCollection<IGuild>> GetGuildsAsync(CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    /*write*/ /*create*/
                    Task<IGuild> CreateGuildAsync(string name, IVoiceRegion region, Stream jpegIcon = null, RequestOptions options = null);

                    Task<IInvite> GetInviteAsync(string inviteId, RequestOptions options = null);

                    /*read*/ /*user*/
                    Task<IUser> GetUserAsync(ulong id, CacheMode mode = CacheMode.AllowDownload, RequestOptions options = null);
                    /*read*/
                    Task<IUser> GetUserAsync(string username, string discriminator, RequestOptions options = null);

                    Task<IReadOnlyCollection<IVoiceRegion>> GetVoiceRegionsAsync(RequestOptions options = null);
                    Task<IVoiceRegion> GetVoiceRegionAsync(string id, RequestOptions options = null);
                }

                public static class DiscordFallbacks
                {
                    public static Task<IReadOnlyCollection<IPrivateChannel>> NoPrivateChannels(Exception error)
                        => Task.FromResult<IReadOnlyCollection<IPrivateChannel>>(Array.Empty<IPrivateChannel>());
                }
            }
            """,
            Annotation.Of("a rate limit per guild id (a ulong) with a breaker on GetGuildAsync", Array.Empty<string>(),
                ("guild", "[RateLimit(PermitLimit = 50, WindowMs = 1_000, KeyParameter = \"id\")] [CircuitBreaker(FailureThreshold = 5)]")),
            Annotation.Of("a stale user served by id and cache mode (a ulong and an enum) on the GetUserAsync overload by id", Array.Empty<string>(),
                ("user", "[CacheFallback(StaleTtlMs = 600_000, KeyParameters = new[] { \"id\", \"mode\" })] [Retry(MaxRetries = 2, DelayMs = 200)]")),
            Annotation.Of("a fallback answering no private channels, the enum default kept", Array.Empty<string>(),
                ("private", "[Fallback(typeof(DiscordFallbacks), nameof(DiscordFallbacks.NoPrivateChannels))] [Retry(MaxRetries = 1, DelayMs = 100)]")),
            Annotation.Of("a timeout on CreateGuildAsync, which takes no CancellationToken (the call is abandoned, RES0012)", new[] { "RES0012" },
                ("create", "[Timeout(10_000)] [Bulkhead(MaxConcurrency = 2)]"))),
        new("FeatureManagement IVariantFeatureManager+IFeatureManager", "Microsoft.FeatureManagement 4.x: Microsoft.FeatureManagement.IVariantFeatureManager and the older IFeatureManager (an unconstrained generic context parameter, an IAsyncEnumerable of names beside awaited calls, Task and ValueTask results, a CancellationToken = default on one interface and none on the other)", """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Microsoft.FeatureManagement.FeatureFilters
            {
                public interface ITargetingContext
                {
                    string UserId { get; }

                    IEnumerable<string> Groups { get; }
                }
            }

            namespace Microsoft.FeatureManagement
            {
                using Microsoft.FeatureManagement.FeatureFilters;

                public class Variant
                {
                    public string Name { get; set; } = "";

                    public string? ConfigurationValue { get; set; }
                }

                /*iface*/
                public interface IVariantFeatureManager
                {
                    IAsyncEnumerable<string> GetFeatureNamesAsync(CancellationToken cancellationToken = default);

                    /*read*/ /*enabled*/
                    Task<bool> IsEnabledAsync(string feature, CancellationToken cancellationToken = default);

                    /*read*/
                    Task<bool> IsEnabledAsync<TContext>(string feature, TContext context, CancellationToken cancellationToken = default);

                    /*read*/ /*variant*/
                    ValueTask<Variant> GetVariantAsync(string feature, CancellationToken cancellationToken = default);

                    /*read*/
                    ValueTask<Variant> GetVariantAsync(string feature, ITargetingContext context, CancellationToken cancellationToken = default);
                }

                /*legacy*/
                public interface IFeatureManager
                {
                    IAsyncEnumerable<string> GetFeatureNamesAsync();

                    Task<bool> IsEnabledAsync(string feature);

                    Task<bool> IsEnabledAsync<TContext>(string feature, TContext context);
                }

                public static class FeatureFallbacks
                {
                    public static ValueTask<Variant> Off(string feature, Exception error) => new(new Variant { Name = "off" });
                }
            }
            """,
            Annotation.Of("a stale flag served per feature name when the flag store fails", Array.Empty<string>(),
                ("enabled", "[CacheFallback(StaleTtlMs = 300_000, KeyParameters = new[] { \"feature\" })] [Retry(MaxRetries = 2, DelayMs = 20)]")),
            Annotation.Of("a fallback variant named after the feature, with a breaker", Array.Empty<string>(),
                ("variant", "[Fallback(typeof(FeatureFallbacks), nameof(FeatureFallbacks.Off))] [CircuitBreaker(FailureThreshold = 3)]")),
            Annotation.Of("a timeout on the older interface's default, whose calls take no CancellationToken (RES0012)", new[] { "RES0012" },
                ("legacy", "[Timeout(500)] [Retry(MaxRetries = 1, DelayMs = 10)]"))),
        new("NATS INatsConnection", "NATS.Client.Core 2.x: NATS.Client.Core.INatsConnection, trimmed (generic methods with nullable unconstrained `T? data` parameters and a two-parameter generic request returning a generic record struct, seven-parameter overloads with `= default` on classes and records, an IAsyncEnumerable subscription, an async event of a custom delegate, IAsyncDisposable as base)", """
            using System;
            using System.Buffers;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace NATS.Client.Core
            {
                public delegate ValueTask AsyncEventHandler<in TEventArgs>(object? sender, TEventArgs args);

                public sealed class NatsEventArgs : EventArgs
                {
                    public NatsEventArgs(string message) => Message = message;

                    public string Message { get; }
                }

                public sealed class NatsHeaders : Dictionary<string, string>
                {
                }

                public sealed record NatsPubOpts
                {
                    public bool? WaitUntilSent { get; init; }
                }

                public sealed record NatsSubOpts
                {
                    public TimeSpan? Timeout { get; init; }

                    public int? MaxMsgs { get; init; }
                }

                public interface INatsSerialize<in T>
                {
                    void Serialize(IBufferWriter<byte> bufferWriter, T value);
                }

                public interface INatsDeserialize<out T>
                {
                    T? Deserialize(in ReadOnlySequence<byte> buffer);
                }

                public readonly record struct NatsMsg<T>(string Subject, string? ReplyTo, int Size, NatsHeaders? Headers, T? Data);

                public enum NatsConnectionState
                {
                    Closed,
                    Open,
                    Connecting,
                    Reconnecting,
                }

                public interface INatsSub<T> : IAsyncDisposable
                {
                    string Subject { get; }

                    IAsyncEnumerable<NatsMsg<T>> Msgs { get; }
                }

                /*iface*/
                public interface INatsConnection : IAsyncDisposable
                {
                    event AsyncEventHandler<NatsEventArgs>? ConnectionDisconnected;

                    NatsConnectionState ConnectionState { get; }

                    /*ping*/
                    ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default);

                    /*publish*/
                    ValueTask PublishAsync<T>(string subject, T data, NatsHeaders? headers = default, string? replyTo = default, INatsSerialize<T>? serializer = default, NatsPubOpts? opts = default, CancellationToken cancellationToken = default);

                    ValueTask PublishAsync(string subject, NatsHeaders? headers = default, string? replyTo = default, NatsPubOpts? opts = default, CancellationToken cancellationToken = default);

                    IAsyncEnumerable<NatsMsg<T>> SubscribeAsync<T>(string subject, string? queueGroup = default, INatsDeserialize<T>? serializer = default, NatsSubOpts? opts = default, CancellationToken cancellationToken = default);

                    ValueTask<INatsSub<T>> SubscribeCoreAsync<T>(string subject, string? queueGroup = default, INatsDeserialize<T>? serializer = default, NatsSubOpts? opts = default, CancellationToken cancellationToken = default);

                    /*request*/
                    ValueTask<NatsMsg<TReply>> RequestAsync<TRequest, TReply>(string subject, TRequest? data, NatsHeaders? headers = default, INatsSerialize<TRequest>? requestSerializer = default, INatsDeserialize<TReply>? replySerializer = default, NatsPubOpts? requestOpts = default, NatsSubOpts? replyOpts = default, CancellationToken cancellationToken = default);

                    ValueTask ConnectAsync();
                }

                public static class NatsFallbacks
                {
                    public static ValueTask<TimeSpan> NoPing(Exception error) => new(TimeSpan.MaxValue);
                }
            }
            """,
            Annotation.Of("a ping bounded by a timeout, retried once, answered with TimeSpan.MaxValue when the server is gone", Array.Empty<string>(),
                ("ping", "[Fallback(typeof(NatsFallbacks), nameof(NatsFallbacks.NoPing))] [Timeout(2_000)] [Retry(MaxRetries = 1, DelayMs = 50)]")),
            Annotation.Of("requests under one breaker per subject, retried, each bounded", Array.Empty<string>(),
                ("request", "[CircuitBreaker(FailureThreshold = 5, KeyParameter = \"subject\")] [Retry(MaxRetries = 2, DelayMs = 25)] [Timeout(5_000)]")),
            Annotation.Of("publishes rate-limited per subject with a short queue", Array.Empty<string>(),
                ("publish", "[RateLimit(PermitLimit = 1_000, WindowMs = 1_000, QueueLimit = 100, KeyParameter = \"subject\")]")),
            Annotation.Of("a breaker and a retry as the interface's defaults (the subscription stream and the accessors are skipped)", Array.Empty<string>(),
                ("iface", "[CircuitBreaker(FailureThreshold = 10)] [Retry(MaxRetries = 1, DelayMs = 10)]"))),
        new("MassTransit IRequestClient", "MassTransit.Abstractions 8.x: MassTransit.IRequestClient<TRequest> (a class-constrained generic interface, generic methods with one and two class-constrained type parameters, a CancellationToken followed by a struct parameter with = default, a delegate parameter, result interfaces named without an I, a generic readonly struct result)", """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace MassTransit
            {
                public readonly struct RequestTimeout
                {
                    private readonly TimeSpan? _timeout;

                    public RequestTimeout(TimeSpan timeout) => _timeout = timeout;

                    public static RequestTimeout None => default;

                    public bool HasValue => _timeout.HasValue;

                    public static implicit operator RequestTimeout(TimeSpan timeout) => new(timeout);

                    public static implicit operator RequestTimeout(int milliseconds) => new(TimeSpan.FromMilliseconds(milliseconds));
                }

                public interface IRequestPipeConfigurator<TRequest>
                    where TRequest : class
                {
                    RequestTimeout TimeToLive { set; }
                }

                public delegate void RequestPipeConfiguratorCallback<TRequest>(IRequestPipeConfigurator<TRequest> configurator)
                    where TRequest : class;

                public interface Response
                {
                    Guid? MessageId { get; }
                }

                public interface Response<out TMessage> : Response
                    where TMessage : class
                {
                    TMessage Message { get; }
                }

                public readonly struct Response<T1, T2>
                    where T1 : class
                    where T2 : class
                {
                    private readonly Response? _response;

                    public Response(Response response) => _response = response;

                    public bool Is<T>(out Response<T>? result)
                        where T : class
                    {
                        result = _response as Response<T>;
                        return result is not null;
                    }
                }

                public interface RequestHandle : IDisposable
                {
                    void Cancel();

                    Task<Response<T>> GetResponse<T>(bool readyToSend = true)
                        where T : class;
                }

                public interface RequestHandle<TRequest> : RequestHandle
                    where TRequest : class
                {
                    Task<TRequest> Message { get; }
                }

                /*iface*/
                public interface IRequestClient<TRequest>
                    where TRequest : class
                {
                    /*create*/
                    RequestHandle<TRequest> Create(TRequest message, CancellationToken cancellationToken = default, RequestTimeout timeout = default);

                    RequestHandle<TRequest> Create(object values, CancellationToken cancellationToken = default, RequestTimeout timeout = default);

                    /*get*/
                    Task<Response<T>> GetResponse<T>(TRequest message, CancellationToken cancellationToken = default, RequestTimeout timeout = default)
                        where T : class;

                    Task<Response<T>> GetResponse<T>(TRequest message, RequestPipeConfiguratorCallback<TRequest> callback, CancellationToken cancellationToken = default, RequestTimeout timeout = default)
                        where T : class;

                    /*values*/
                    Task<Response<T>> GetResponse<T>(object values, CancellationToken cancellationToken = default, RequestTimeout timeout = default)
                        where T : class;

                    /*two*/
                    Task<Response<T1, T2>> GetResponse<T1, T2>(TRequest message, CancellationToken cancellationToken = default, RequestTimeout timeout = default)
                        where T1 : class
                        where T2 : class;
                }

                public static class RequestFallbacks
                {
                    public static Task<Response<T>> NoResponse<T>(Exception error)
                        where T : class
                        => Task.FromException<Response<T>>(new InvalidOperationException("no response", error));

                    public static Response<T1, T2> Neither<T1, T2>(TimeoutException error)
                        where T1 : class
                        where T2 : class
                        => default;
                }
            }
            """,
            Annotation.Of("a response bounded, retried and broken on failure (the token is not the last parameter)", Array.Empty<string>(),
                ("get", "[Timeout(30_000)] [CircuitBreaker(FailureThreshold = 5)] [Retry(MaxRetries = 2, DelayMs = 100)]")),
            Annotation.Of("generic fallbacks of one and two type parameters, the second only for timeouts", Array.Empty<string>(),
                ("get", "[Fallback(typeof(RequestFallbacks), nameof(RequestFallbacks.NoResponse))] [Retry(MaxRetries = 1, DelayMs = 10)]"),
                ("two", "[Fallback(typeof(RequestFallbacks), nameof(RequestFallbacks.Neither))] [Timeout(5_000)]")),
            Annotation.Of("a stale response keyed by the request object, whose type has no value-based ToString (RES0021)", new[] { "RES0021" },
                ("values", "[CacheFallback(StaleTtlMs = 60_000)]")),
            Annotation.Of("a delayed retry and a bulkhead as the interface's defaults: the synchronous Create overloads would block in the delay (RES0013)", new[] { "RES0013" },
                ("iface", "[Retry(MaxRetries = 1, DelayMs = 50)] [Bulkhead(MaxConcurrency = 16)]")),
            Annotation.Of("an immediate retry and a bulkhead as the interface's defaults, the synchronous Create included", Array.Empty<string>(),
                ("iface", "[Retry(MaxRetries = 1, DelayMs = 0)] [Bulkhead(MaxConcurrency = 16)]"))),
        new("Minio IMinioClient", "Minio 6.x: Minio.IMinioClient, trimmed (argument objects built on a self-referencing generic base, a synchronous IObservable<T> listing, fluent methods returning the interface itself, an optional interface-typed parameter, IDisposable as base)", """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Minio.DataModel.Args
            {
                public abstract class RequestArgs
                {
                }

                public abstract class BucketArgs<T> : RequestArgs
                    where T : BucketArgs<T>
                {
                    public string BucketName { get; private set; } = "";

                    public T WithBucket(string bucket)
                    {
                        BucketName = bucket;
                        return (T)this;
                    }
                }

                public abstract class ObjectArgs<T> : BucketArgs<T>
                    where T : ObjectArgs<T>
                {
                    public string ObjectName { get; private set; } = "";

                    public T WithObject(string name)
                    {
                        ObjectName = name;
                        return (T)this;
                    }
                }

                public sealed class BucketExistsArgs : BucketArgs<BucketExistsArgs>
                {
                }

                public sealed class StatObjectArgs : ObjectArgs<StatObjectArgs>
                {
                    public override string ToString() => BucketName + "/" + ObjectName;
                }

                public sealed class ListObjectsArgs : BucketArgs<ListObjectsArgs>
                {
                    public bool Recursive { get; set; }
                }

                public sealed class PutObjectArgs : ObjectArgs<PutObjectArgs>
                {
                    public Stream? ObjectStreamData { get; set; }
                }
            }

            namespace Minio.DataModel
            {
                public sealed class ObjectStat
                {
                    public string ObjectName { get; init; } = "";

                    public long Size { get; init; }

                    public string? ETag { get; init; }
                }

                public sealed class Item
                {
                    public string Key { get; init; } = "";
                }

                public sealed class PutObjectResponse
                {
                    public string? Etag { get; init; }
                }
            }

            namespace Minio
            {
                using Minio.DataModel;
                using Minio.DataModel.Args;

                public interface IRequestLogger
                {
                    void LogRequest(string request, string response, double durationMs);
                }

                /*iface*/
                public interface IMinioClient : IDisposable
                {
                    /*exists*/
                    Task<bool> BucketExistsAsync(BucketExistsArgs args, CancellationToken cancellationToken = default);

                    /*stat*/
                    Task<ObjectStat> StatObjectAsync(StatObjectArgs args, CancellationToken cancellationToken = default);

                    /*list*/
                    IObservable<Item> ListObjectsAsync(ListObjectsArgs args, CancellationToken cancellationToken = default);

                    /*put*/
                    Task<PutObjectResponse> PutObjectAsync(PutObjectArgs args, CancellationToken cancellationToken = default);

                    void SetTraceOn(IRequestLogger? logger = null);

                    /*fluent*/
                    IMinioClient WithTimeout(int timeout);
                }

                public static class MinioFallbacks
                {
                    public static Task<bool> AssumeMissing(BucketExistsArgs args, Exception error) => Task.FromResult(false);
                }
            }
            """,
            Annotation.Of("an existence check retried under a breaker, answering false when storage is down", Array.Empty<string>(),
                ("exists", "[Fallback(typeof(MinioFallbacks), nameof(MinioFallbacks.AssumeMissing))] [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20)] [Retry(MaxRetries = 2, DelayMs = 50)]")),
            Annotation.Of("object metadata served stale, keyed by the args object whose ToString is its path", Array.Empty<string>(),
                ("stat", "[CacheFallback(StaleTtlMs = 600_000, KeyParameters = new[] { \"args\" })] [Timeout(10_000)]")),
            Annotation.Of("uploads limited to four at a time with a queue, bounded", Array.Empty<string>(),
                ("put", "[Bulkhead(MaxConcurrency = 4, MaxQueue = 32)] [Timeout(120_000)]")),
            Annotation.Of("an immediate retry on the synchronous listing, a breaker on the fluent WithTimeout (which then hands back the decorator)", Array.Empty<string>(),
                ("list", "[Retry(MaxRetries = 1, DelayMs = 0)]"),
                ("fluent", "[CircuitBreaker(FailureThreshold = 3)]")),
            Annotation.Of("a timeout on the synchronous listing, which returns before any item arrives (RES0013)", new[] { "RES0013" },
                ("list", "[Timeout(1_000)]"))),
        new("Flurl IFlurlClient", "Flurl.Http 4.x: Flurl.Http.IFlurlClient with its base interfaces, trimmed (a params object[] request builder, an enum default of System.Net.Http, settable and read-only properties from three base interfaces, IDisposable)", """
            using System;
            using System.Collections.Generic;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Flurl.Http.Configuration
            {
                public class FlurlHttpSettings
                {
                    public TimeSpan? Timeout { get; set; }

                    public bool AllowedHttpStatusRange { get; set; }
                }
            }

            namespace Flurl.Util
            {
                public interface INameValueList<TValue> : IList<(string Name, TValue Value)>
                {
                    void Add(string name, TValue value);

                    bool TryGetFirst(string name, out TValue? value);
                }
            }

            namespace Flurl.Http
            {
                using Flurl.Http.Configuration;
                using Flurl.Util;

                public interface IHttpSettingsContainer
                {
                    FlurlHttpSettings Settings { get; }
                }

                public interface IHeadersContainer
                {
                    INameValueList<string> Headers { get; }
                }

                public interface IFlurlResponse : IDisposable
                {
                    int StatusCode { get; }

                    Task<T> GetJsonAsync<T>();

                    Task<string> GetStringAsync();
                }

                public interface IFlurlRequest : IHttpSettingsContainer, IHeadersContainer
                {
                    IFlurlClient? Client { get; set; }

                    HttpMethod Verb { get; set; }

                    Task<IFlurlResponse> SendAsync(HttpMethod verb, HttpContent? content = null, HttpCompletionOption completionOption = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default);
                }

                /*iface*/
                public interface IFlurlClient : IHttpSettingsContainer, IHeadersContainer, IDisposable
                {
                    HttpClient HttpClient { get; }

                    string? BaseUrl { get; set; }

                    bool IsDisposed { get; }

                    IFlurlRequest Request(params object[] urlSegments);

                    /*send*/
                    Task<IFlurlResponse> SendAsync(IFlurlRequest request, HttpCompletionOption completionOption = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default);
                }

                public static class FlurlFallbacks
                {
                    public static Task<IFlurlResponse> Unavailable(IFlurlRequest request, HttpRequestException error)
                        => throw new InvalidOperationException("service unavailable: " + request.Verb, error);
                }
            }
            """,
            Annotation.Of("sends retried under a breaker and bounded, an HTTP failure answered by a fallback that names the verb", Array.Empty<string>(),
                ("send", "[Fallback(typeof(FlurlFallbacks), nameof(FlurlFallbacks.Unavailable))] [Timeout(30_000)] [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 10)] [Retry(MaxRetries = 3, DelayMs = 200, Backoff = BackoffType.Exponential)]")),
            Annotation.Of("a rate limit and a bulkhead as the interface's defaults (the synchronous Request builder gets them too)", Array.Empty<string>(),
                ("iface", "[RateLimit(PermitLimit = 50, WindowMs = 1_000)] [Bulkhead(MaxConcurrency = 8)]"))),
        new("KernelMemory IKernelMemory", "Microsoft.KernelMemory.Abstractions 0.9x: Microsoft.KernelMemory.IKernelMemory, trimmed (eight-parameter methods with double and negative int defaults, nullable collections of a class, a Stream parameter, an IAsyncEnumerable answer stream, a Task with no result)", """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Microsoft.KernelMemory
            {
                public class TagCollection : Dictionary<string, List<string?>>
                {
                }

                public class MemoryFilter : TagCollection
                {
                }

                public interface IContext
                {
                    IDictionary<string, object?> Arguments { get; }
                }

                public class SearchResult
                {
                    public string Query { get; set; } = "";

                    public bool NoResult { get; set; }
                }

                public class MemoryAnswer
                {
                    public string Question { get; set; } = "";

                    public string Result { get; set; } = "";

                    public bool NoResult { get; set; }
                }

                /*iface*/
                public interface IKernelMemory
                {
                    /*import*/
                    Task<string> ImportDocumentAsync(Stream content, string? fileName = null, string? documentId = null, TagCollection? tags = null, string? index = null, IEnumerable<string>? steps = null, IContext? context = null, CancellationToken cancellationToken = default);

                    /*ready*/
                    Task<bool> IsDocumentReadyAsync(string documentId, string? index = null, CancellationToken cancellationToken = default);

                    /*delete*/
                    Task DeleteDocumentAsync(string documentId, string? index = null, CancellationToken cancellationToken = default);

                    /*search*/
                    Task<SearchResult> SearchAsync(string query, string? index = null, MemoryFilter? filter = null, ICollection<MemoryFilter>? filters = null, double minRelevance = 0, int limit = -1, IContext? context = null, CancellationToken cancellationToken = default);

                    /*ask*/
                    Task<MemoryAnswer> AskAsync(string question, string? index = null, MemoryFilter? filter = null, ICollection<MemoryFilter>? filters = null, double minRelevance = 0, IContext? context = null, CancellationToken cancellationToken = default);

                    IAsyncEnumerable<MemoryAnswer> AskStreamingAsync(string question, string? index = null, MemoryFilter? filter = null, double minRelevance = 0, CancellationToken cancellationToken = default);
                }

                public static class MemoryFallbacks
                {
                    public static Task<MemoryAnswer> NoAnswer(string question, Exception error)
                        => Task.FromResult(new MemoryAnswer { Question = question, NoResult = true });
                }
            }
            """,
            Annotation.Of("searches served stale by query, index, relevance and limit (a double and a negative-default int in the key)", Array.Empty<string>(),
                ("search", "[CacheFallback(StaleTtlMs = 120_000, KeyParameters = new[] { \"query\", \"index\", \"minRelevance\", \"limit\" })] [Retry(MaxRetries = 2, DelayMs = 100)]")),
            Annotation.Of("answers bounded, broken on failure, answered with no result", Array.Empty<string>(),
                ("ask", "[Fallback(typeof(MemoryFallbacks), nameof(MemoryFallbacks.NoAnswer))] [Timeout(60_000)] [CircuitBreaker(FailureThreshold = 5)]")),
            Annotation.Of("imports limited to two at a time, deletes and readiness checks retried", Array.Empty<string>(),
                ("import", "[Bulkhead(MaxConcurrency = 2, MaxQueue = 10)]"),
                ("delete", "[Retry(MaxRetries = 3, DelayMs = 50)]"),
                ("ready", "[Retry(MaxRetries = 3, DelayMs = 50)] [RateLimit(PermitLimit = 20, WindowMs = 1_000, KeyParameter = \"documentId\")]")),
            Annotation.Of("a stale answer keyed by every parameter: the filter collections have no value-based ToString (RES0021)", new[] { "RES0021" },
                ("ask", "[CacheFallback(StaleTtlMs = 60_000)]"))),
    };
}
