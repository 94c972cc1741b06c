namespace Resilience.Generator.Tests.Infrastructure;

/// <summary>Inline sources covering every shape the generator handles; each has a checked-in baseline.</summary>
internal static class Corpus
{
    public static readonly IReadOnlyDictionary<string, string> Cases = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["AllStrategies"] = """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Shop.Users;

            public sealed record User(string Id, string Name);

            [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 30_000, Handle = new[] { typeof(HttpRequestException), typeof(TimeoutException) })]
            public interface IUserService
            {
                [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Exponential, Jitter = 0.2, MaxDelayMs = 2_000, Multiplier = 1.5)]
                [Timeout(2_000)]
                [Fallback(nameof(GetUserFallbackAsync))]
                [CacheFallback(TtlMs = 1_000, StaleTtlMs = 60_000)]
                [RateLimit(PermitLimit = 50, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindow, SegmentsPerWindow = 4, QueueLimit = 2)]
                [Bulkhead(MaxConcurrency = 8, MaxQueue = 16, MaxWaitMs = 250, Kind = BulkheadKind.WorkerPool)]
                ValueTask<User> GetUserAsync(string id, CancellationToken cancellationToken = default);

                // Implemented by the real service; the decorator calls it on the inner instance.
                ValueTask<User> GetUserFallbackAsync(string id, Exception error);

                [RateLimit(PermitLimit = 100, WindowMs = 1_000, KeyParameter = "tenant")]
                [Bulkhead(MaxConcurrency = 8, MaxQueue = 16, Name = "users-db")]
                ValueTask SaveAsync(string tenant, User user, CancellationToken cancellationToken);

                [Bulkhead(Name = "users-db", MaxConcurrency = 8, MaxQueue = 16)]
                Task DeleteAsync(string id, CancellationToken cancellationToken);

                [Retry(RetryOn = new[] { typeof(HttpRequestException) }, AttemptTimeoutMs = 500)]
                [Timeout(5_000)]
                Task<User?> FindAsync(string name, CancellationToken cancellationToken);
            }
            """,

        ["InterfaceDefaults"] = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Shop.Orders;

            public sealed class Order { }

            [Retry(MaxRetries = 2)]
            [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20, SamplingDurationMs = 10_000)]
            [RateLimit(PermitLimit = 10, Algorithm = RateLimitAlgorithm.SlidingWindowExact)]
            [Bulkhead(MaxConcurrency = 4)]
            [Timeout(1_000)]
            [Fallback(nameof(Fallback))]
            public interface IOrderService
            {
                Task<Order> GetAsync(int id, CancellationToken cancellationToken);

                // Method attributes override the interface's of the same kind.
                [Retry(MaxRetries = 5, Backoff = BackoffType.Constant)]
                [Timeout(3_000)]
                Task<Order> GetSlowAsync(int id, CancellationToken cancellationToken);

                // The fallback target gets no interface-level defaults.
                Task<Order> Fallback(int id, Exception error);

                // A method whose fallback does not bind to the interface-level one keeps its own.
                [Fallback(nameof(CountFallback))]
                int Count();

                int CountFallback();
            }

            [CircuitBreaker(Name = "orders-db")]
            public interface IOrderRepository
            {
                [CircuitBreaker(Name = "orders-db")]
                Task SaveAsync(Order order);

                Task<Order?> LoadAsync(int id);
            }
            """,

        ["Generics"] = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Data;

            public interface IEntity { int Id { get; } }

            public interface IRepository<TEntity, TKey>
                where TEntity : class, IEntity, new()
                where TKey : struct, IEquatable<TKey>
            {
                [Retry]
                Task<TEntity?> FindAsync(TKey id, CancellationToken cancellationToken);

                [Retry]
                ValueTask<IReadOnlyList<TEntity>> QueryAsync<TFilter>(TFilter filter, int take = 10)
                    where TFilter : notnull;

                [Timeout(100)]
                Task<T?> ConvertAsync<T>(TEntity entity, CancellationToken cancellationToken)
                    where T : class?;

                [Retry]
                TResult Aggregate<TResult>(Func<TEntity, TResult> selector)
                    where TResult : unmanaged;

                T? FirstOrDefault<T>(IEnumerable<T> items);

                void Save(TEntity entity);
                void Save(IEnumerable<TEntity> entities);

                [Retry]
                Task<int> CountAsync();

                [Retry]
                Task<int> CountAsync(Func<TEntity, bool> predicate);
            }

            public interface IConverter<in TIn, out TOut>
            {
                [Retry]
                TOut Convert(TIn value);
            }
            """,

        ["Members"] = """
            using System;
            using System.Collections.Generic;
            using System.ComponentModel;
            using System.Diagnostics.CodeAnalysis;
            using System.Threading.Tasks;
            using Resilience;

            namespace Catalog;

            public interface IReadable
            {
                string Name { get; }
                Task<string> ReadAsync(int id);
                event EventHandler? Changed;
            }

            public interface IWritable
            {
                string Name { get; set; }
                Task WriteAsync(int id, string value);
            }

            public interface ICatalog : IReadable, IWritable, INotifyPropertyChanged
            {
                [Retry]
                new Task<string> ReadAsync(int id);

                int this[int index] { get; set; }
                string this[string key, int version = 1] { get; }

                int Version { get; init; }
                ref int Counter { get; }

                event EventHandler<string>? ItemAdded;

                // A default implementation the inner instance may or may not override.
                string Describe() => "catalog " + Version;

                // Names that clash with object members are implemented explicitly.
                [Retry]
                string ToString(string format);
                string ToString();

                [Obsolete("Use ReadAsync.")]
                string ReadSync(int id);

                bool TryGet(int id, [NotNullWhen(true)] out string? value);

                [return: MaybeNull]
                string Peek();

                IAsyncEnumerable<string> StreamAsync();

                // Fluent members: the decorator, not the inner instance, comes back when the inner returns itself.
                ICatalog WithLocale(string locale);
                IReadable AsReadable();

                [Retry(DelayMs = 0)]
                ICatalog Refreshed();
            }
            """,

        ["Parameters"] = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Shapes;

            public enum Mode { Fast = 1, Safe = 2 }

            public readonly struct Big { public readonly long A, B, C, D; }

            public interface IParameters
            {
                [Retry]
                Task<int> InAsync(in Big value, CancellationToken cancellationToken);

                [Retry]
                int InSync(in Big value, ref readonly Big other);

                void RefOut(ref int counter, out string text);

                [Timeout(100)]
                void SyncWithRef(ref int counter, CancellationToken cancellationToken);

                [Retry]
                Task<string> DefaultsAsync(
                    string text = "a \"quoted\" \\ value",
                    Mode mode = Mode.Safe,
                    Mode other = (Mode)7,
                    int? maybe = null,
                    double ratio = 0.25,
                    decimal price = 1.5m,
                    char separator = '\n',
                    long big = 1L << 40,
                    float small = 1.5f,
                    bool flag = true,
                    string? none = null,
                    CancellationToken cancellationToken = default);

                [Retry]
                Task<int> ParamsAsync(string format, params object?[] args);

                [Retry]
                [Fallback(nameof(KeywordsFallback))]
                Task<string?> KeywordsAsync(string @class, int @event, string? @string);

                Task<string?> KeywordsFallback(string @class, Exception @exception);

                [Retry]
                [Timeout(100)]
                [CacheFallback(TtlMs = 10)]
                [CircuitBreaker]
                Task<int> ClashAsync(int __inner, int __result, int __key, CancellationToken __timeout);

                [Retry]
                ValueTask<int> NullableAsync(string? maybe, int[]? values, (int A, string? B) tuple);
            }
            """,

        ["ReturnShapes"] = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Shapes.Returns;

            [Retry(MaxRetries = 1)]
            [Timeout(500)]
            public interface IShapes
            {
                void SyncVoid(CancellationToken cancellationToken);
                int SyncValue(int x);
                Task TaskVoid(CancellationToken cancellationToken);
                Task<int> TaskValue(int x, CancellationToken cancellationToken);
                ValueTask ValueTaskVoid(CancellationToken cancellationToken);
                ValueTask<int> ValueTaskValue(int x, CancellationToken cancellationToken);

                // No token to replace: the call is abandoned when the timeout fires.
                Task NoTokenVoid();
                Task<string> NoTokenValue(string x);
                ValueTask NoTokenValueTaskVoid();
                ValueTask<string> NoTokenValueTask(string x);
            }
            """,

        ["HandleResult"] = """
            using System;
            using System.Net;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Http;

            public interface IApi
            {
                static bool IsServerError(HttpResponseMessage response) => (int)response.StatusCode >= 500;
                static bool IsThrottled(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.TooManyRequests;

                // One predicate, used by retry and breaker alike.
                [Retry(HandleResult = nameof(IsServerError))]
                [CircuitBreaker]
                Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken);

                // Each its own.
                [Retry(HandleResult = nameof(IsThrottled))]
                [CircuitBreaker(HandleResult = nameof(IsServerError))]
                ValueTask<HttpResponseMessage> PostAsync(string path, CancellationToken cancellationToken);

                // Which exceptions count, how many probes close it, and a cyclic reset of the counts.
                [CircuitBreaker(HandleResult = nameof(IsServerError), HandleException = nameof(IsTransient), SuccessThreshold = 2, IntervalMs = 60_000)]
                HttpResponseMessage Send(string path);

                static bool IsTransient(Exception exception) => exception is HttpRequestException or TimeoutException;

                [Retry(HandleResult = nameof(IsServerError))]
                [CacheFallback]
                Task<HttpResponseMessage> CachedAsync(string path);
            }
            """,

        ["Fallbacks"] = """
            using System;
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Fallbacks;

            public static class StaticHandler
            {
                public static string Default(string key) => "default:" + key;
            }

            public sealed class InstanceHandler
            {
                public Task<int> CountAsync(Exception error) => Task.FromResult(-1);
                public int Count(string key) => 0;
                public void Log(IOException error) { }
            }

            public interface IFallbacks
            {
                // Static method of the interface.
                static string Local(string key, Exception error) => "local:" + key;

                [Fallback(nameof(Local))]
                Task<string> StaticInterfaceAsync(string key, CancellationToken cancellationToken);

                [Fallback(typeof(StaticHandler), nameof(StaticHandler.Default))]
                ValueTask<string> StaticHandlerAsync(string key);

                [Fallback(typeof(InstanceHandler), nameof(InstanceHandler.CountAsync))]
                Task<int> InjectedAsync(string key);

                [Fallback(typeof(InstanceHandler), nameof(InstanceHandler.Count))]
                int InjectedSync(string key);

                // Narrower exception parameter: only IOException is handled.
                [Fallback(typeof(InstanceHandler), nameof(InstanceHandler.Log))]
                Task WriteAsync(string key, CancellationToken cancellationToken);

                [Fallback(nameof(VoidFallback))]
                void Fire(int value);
                Task VoidFallback(int value);

                [Fallback(nameof(GenericFallback))]
                Task<T> GenericAsync<T>(T value) where T : class;
                T GenericFallback<T>(T value, HttpRequestException error) where T : class;
            }
            """,

        ["KeysAndCaching"] = """
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Keys;

            [RateLimit(PermitLimit = 5, KeyParameter = "tenant")]
            public interface ITenants<TId>
            {
                Task<string> GetAsync(string tenant, TId id);
                Task<string> FindAsync(string? tenant, string name);

                [RateLimit(KeyParameter = "region")]
                Task<int> CountAsync(int? region, CancellationToken cancellationToken);

                [RateLimit(KeyParameter = "id")]
                Task<int> ByIdAsync(TId id, string tenant);

                [RateLimit(KeyParameter = "value")]
                int Generic<T>(T value, string tenant);

                [CacheFallback(TtlMs = 5_000, KeyParameters = new[] { "tenant", "id" })]
                Task<string?> CachedAsync(string tenant, TId id, bool verbose, CancellationToken cancellationToken);

                [CacheFallback]
                string NoArguments(string tenant);

                [Retry(AttemptTimeoutMs = 250, MaxRetries = 2)]
                ValueTask<int> AttemptAsync(string tenant, CancellationToken cancellationToken);

                [Retry(AttemptTimeoutMs = 250)]
                int AttemptSync(string tenant, CancellationToken cancellationToken);

                [CacheFallback(KeyMethod = nameof(KeyOf))]
                Task<string> SearchAsync<TFilter>(Filter filter, TFilter extra, CancellationToken cancellationToken);

                static string KeyOf(Filter filter, object? extra) => filter.Text + "/" + extra;
            }

            public sealed class Filter { public string Text { get; set; } = ""; }
            """,

        ["KeyedBreakers"] = """
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Hosts;

            // One breaker per host, shared by every method of the interface.
            [CircuitBreaker(FailureThreshold = 3, KeyParameter = "host")]
            public interface IDownstream
            {
                Task<string> GetAsync(string host, string path, CancellationToken cancellationToken);

                string Get(string host);

                [CircuitBreaker(Name = "per-tenant", BreakDurationMs = 5_000, KeyParameter = "tenant")]
                [Retry(MaxRetries = 2)]
                Task<int> CountAsync(int tenant, string host, CancellationToken cancellationToken);

                [CircuitBreaker(KeyParameter = "region")]
                ValueTask PingAsync(int? region);

                [CircuitBreaker]
                Task UnkeyedAsync(string host);
            }
            """,

        ["Namespaces"] = """
            using System.Threading.Tasks;
            using Resilience;

            [Retry]
            public interface IGlobal
            {
                Task RunAsync();
            }

            namespace Outer
            {
                namespace Inner.Deeper
                {
                    [Retry]
                    internal interface IInternal
                    {
                        Task<int> RunAsync();
                    }

                    public static class Container
                    {
                        [Retry]
                        public interface INested
                        {
                            Task RunAsync();
                        }
                    }
                }

                [Retry]
                public partial interface IPartial
                {
                    Task FirstAsync();
                }

                [Timeout(10)]
                public partial interface IPartial
                {
                    [Bulkhead]
                    Task SecondAsync();
                }
            }

            namespace Other
            {
                [Retry]
                public interface IGlobal
                {
                    Task RunAsync();
                }

                // Not starting with "I" + capital: the name is kept whole.
                [Retry]
                public interface Item
                {
                    Task RunAsync();
                }
            }
            """,
        ["Hedging"] = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Reads;

            public interface IQuotes
            {
                [Timeout(5_000)]
                [Hedge(DelayMs = 200, MaxHedges = 2)]
                [CircuitBreaker(Name = "quotes-api")]
                [Retry(MaxRetries = 2, Budget = "quotes-api")]
                ValueTask<decimal> GetAsync(string symbol, CancellationToken cancellationToken);

                [Hedge(DelayMs = 0)]
                Task<string> FindAsync(string name);

                [Hedge(DelayMs = -1, Name = "on-failure")]
                [Retry(HandleResult = nameof(IsEmpty))]
                [CacheFallback(TtlMs = 0, StaleTtlMs = 60_000)]
                [Fallback(nameof(ListFallback))]
                Task<string[]> ListAsync(int page, CancellationToken cancellationToken);

                [Hedge]
                ValueTask TouchAsync(CancellationToken cancellationToken);

                string[] ListFallback(int page, Exception error);

                static bool IsEmpty(string[] items) => items.Length == 0;
            }
            """,
    };
}
