using System.ComponentModel;
using System.Runtime.ExceptionServices;

namespace Resilience;

/// <summary>
/// Small helpers the generated decorators call. Not for hand-written code: names and shapes follow what the
/// generator emits.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedCodeHelpers
{
    private static readonly Action<Task> s_observe = static task => _ = task.Exception;

    /// <summary>
    /// The result of a method whose return type the decorator implements, forwarded or decorated:
    /// <paramref name="decorator"/> when the result is the inner instance (a fluent method such as
    /// <c>WithTimeout(…)</c>), so calls chained on it stay decorated; any other result unchanged.
    /// </summary>
    /// <typeparam name="T">The method's return type.</typeparam>
    /// <param name="result">The method's result.</param>
    /// <param name="inner">The inner instance.</param>
    /// <param name="decorator">The decorator.</param>
    /// <returns><paramref name="decorator"/> or <paramref name="result"/>.</returns>
    public static T DecoratorIfInner<T>(T result, object inner, T decorator)
        where T : class?
        => ReferenceEquals(result, inner) ? decorator : result;

    /// <summary>
    /// Turns the pending result of a decorated <c>Task&lt;T&gt;</c> method's core (a <see cref="ValueTask{TResult}"/>
    /// whose result is the task to hand back) into that task's result. Called only when the core did not complete
    /// synchronously.
    /// </summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    /// <param name="pending">The core's pending result.</param>
    /// <returns>A task that completes as the inner task does.</returns>
    public static async Task<T> Unwrap<T>(ValueTask<Task<T>> pending)
    {
        var task = await pending.ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <summary>Like <see cref="Unwrap{T}(ValueTask{Task{T}})"/> for methods returning <see cref="Task"/>.</summary>
    /// <param name="pending">The core's pending result.</param>
    /// <returns>A task that completes as the inner task does.</returns>
    public static async Task Unwrap(ValueTask<Task> pending)
    {
        var task = await pending.ConfigureAwait(false);
        await task.ConfigureAwait(false);
    }

    /// <summary>
    /// The last step of a generated <see cref="Task{TResult}"/> core built by <see cref="ProxyTaskMethodBuilder{TResult}"/>:
    /// <c>return await PassThrough(task, error);</c> makes <paramref name="task"/> (or, with an
    /// <paramref name="error"/>, a task failed with it) the method's outcome without a throw.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The outcome when <paramref name="error"/> is <see langword="null"/>.</param>
    /// <param name="error">The failure, or <see langword="null"/>.</param>
    /// <returns>What the core awaits.</returns>
    public static PassThroughAwaiter<T> PassThrough<T>(Task<T> task, Exception? error) => new(task, error);

    /// <summary>Like <see cref="PassThrough{T}(Task{T}, Exception)"/> for a <see cref="Task"/> core (<see cref="ProxyTaskMethodBuilder"/>).</summary>
    /// <param name="task">The outcome when <paramref name="error"/> is <see langword="null"/>.</param>
    /// <param name="error">The failure, or <see langword="null"/>.</param>
    /// <returns>What the core awaits.</returns>
    public static PassThroughAwaiter PassThrough(Task task, Exception? error) => new(task, error);

    /// <summary>
    /// The exception that awaiting <paramref name="task"/> would throw, without throwing it: for a faulted task its
    /// first exception (as <c>await</c> gives), for a cancelled one a <see cref="TaskCanceledException"/> carrying the
    /// task's token. Lets a decorator hand an inner failure to retry, breaker and fallback as a value. Reading
    /// <see cref="Task.Exception"/> marks the failure as observed.
    /// </summary>
    /// <param name="task">A task that has completed without success.</param>
    /// <returns>The failure.</returns>
    /// <exception cref="ArgumentException"><paramref name="task"/> has not completed, or completed successfully.</exception>
    public static Exception GetException(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsFaulted)
        {
            AggregateException aggregate = task.Exception!;
            return aggregate.InnerExceptions.Count > 0 ? aggregate.InnerExceptions[0] : aggregate;
        }

        if (task.IsCanceled)
        {
            return new TaskCanceledException(task);
        }

        throw new ArgumentException($"The task must have failed or been cancelled; its status is {task.Status}. Call GetException only when IsCompleted is true and IsCompletedSuccessfully is false.", nameof(task));
    }

    /// <summary>
    /// Reads a completed <paramref name="task"/> without awaiting it: its result, or its failure as
    /// <see cref="GetException"/> gives it (through <see cref="ValueTask{TResult}.AsTask"/>, which costs nothing for a
    /// value task backed by a task). Returns <see langword="false"/> and consumes nothing while it is pending.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The inner call's value task; consumed when it has completed.</param>
    /// <param name="result">The result, when it succeeded.</param>
    /// <param name="error">The failure, when it failed; otherwise <see langword="null"/>.</param>
    /// <returns>Whether <paramref name="task"/> had completed.</returns>
    public static bool TryComplete<T>(ValueTask<T> task, out T result, out Exception? error)
    {
        error = null;
        result = default!;
        if (task.IsCompletedSuccessfully)
        {
            result = task.Result;
            return true;
        }

        if (!task.IsCompleted)
        {
            return false;
        }

        error = GetException(task.AsTask());
        return true;
    }

    /// <summary>Like <see cref="TryComplete{T}(ValueTask{T}, out T, out Exception?)"/> for <see cref="ValueTask"/>.</summary>
    /// <param name="task">The inner call's value task; consumed when it has completed.</param>
    /// <param name="error">The failure, when it failed; otherwise <see langword="null"/>.</param>
    /// <returns>Whether <paramref name="task"/> had completed.</returns>
    public static bool TryComplete(ValueTask task, out Exception? error)
    {
        error = null;
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return true;
        }

        if (!task.IsCompleted)
        {
            return false;
        }

        error = GetException(task.AsTask());
        return true;
    }

    /// <summary>
    /// The task a decorated <c>Task&lt;T&gt;</c> method hands back for a failure nothing handled, as an <c>async</c>
    /// method would end: faulted with <paramref name="exception"/> (no throw), or, for an
    /// <see cref="OperationCanceledException"/>, cancelled with that instance kept for <c>await</c> to rethrow (this
    /// takes one throw, the only way to attach it).
    /// </summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    /// <param name="exception">The failure.</param>
    /// <returns>A completed task that failed with <paramref name="exception"/>.</returns>
    public static Task<T> FromException<T>(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is OperationCanceledException canceled ? Canceled<T>(canceled) : Task.FromException<T>(exception);
    }

#pragma warning disable CS1998 // no await on purpose: the builder turns the throw into a cancelled task that keeps the instance
    private static async Task<T> Canceled<T>(OperationCanceledException exception)
#pragma warning restore CS1998
    {
        ExceptionDispatchInfo.Throw(exception);
        return default!;
    }

    /// <summary>Like <see cref="FromException{T}(Exception)"/> for methods returning <see cref="Task"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>A completed task that failed with <paramref name="exception"/>.</returns>
    public static Task FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is OperationCanceledException canceled ? Canceled(canceled) : Task.FromException(exception);
    }

#pragma warning disable CS1998 // no await on purpose: the builder turns the throw into a cancelled task that keeps the instance
    private static async Task Canceled(OperationCanceledException exception)
#pragma warning restore CS1998
    {
        ExceptionDispatchInfo.Throw(exception);
    }

    /// <summary>
    /// What a decorator awaits, with <see cref="ConfigureAwaitOptions.SuppressThrowing"/>, for an inner call that runs
    /// under a timeout's <paramref name="cancellationToken"/>: a task that completes when <paramref name="task"/> does
    /// or when the token is cancelled, whichever comes first, so that an inner call that ignores its token cannot hold
    /// the caller past the deadline. Returns <paramref name="task"/> itself when it has completed or the token can
    /// never be cancelled. Afterwards the decorator reads <paramref name="task"/>: still pending means abandoned (see
    /// <see cref="Abandon"/>).
    /// </summary>
    /// <param name="task">The inner call's task.</param>
    /// <param name="cancellationToken">The token the inner call received.</param>
    /// <returns>The task to await; its own outcome carries no information.</returns>
    public static Task WhenCompletedOrCanceled(Task task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Gives up waiting for <paramref name="task"/>, which had not ended when <paramref name="cancellationToken"/> was
    /// cancelled: it keeps running (with its cancelled token), and whatever it ends with later is observed and dropped,
    /// so its failure never reaches <see cref="TaskScheduler.UnobservedTaskException"/>. Allocates one continuation.
    /// </summary>
    /// <remarks>
    /// A token runs its callbacks newest first, so the wait (registered after the call started) usually ends before an
    /// inner call that honours the token has completed its own cancellation: that call is abandoned too, and the
    /// failure is this exception rather than the inner call's own <see cref="TaskCanceledException"/>.
    /// </remarks>
    /// <param name="task">The inner call's task, still pending.</param>
    /// <param name="cancellationToken">The cancelled token.</param>
    /// <returns>The failure the call ends with instead: an <see cref="OperationCanceledException"/> carrying <paramref name="cancellationToken"/>.</returns>
    public static OperationCanceledException Abandon(Task task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        Observe(task);
        return new OperationCanceledException(
            "The call had not ended when its cancellation token was cancelled; the decorator stopped waiting for it (whatever it ends with later is dropped).",
            cancellationToken);
    }

    /// <summary>
    /// Waits for <paramref name="task"/> until <paramref name="cancellationToken"/> is cancelled, then abandons it
    /// (it keeps running; its outcome is observed and dropped, see <see cref="Abandon"/>) and ends with
    /// <see cref="OperationCanceledException"/>. Used under a timeout for value tasks and for methods that take no
    /// <see cref="CancellationToken"/>. Returns <paramref name="task"/> itself when it has completed or the token can
    /// never be cancelled, so a synchronous completion allocates nothing.
    /// </summary>
    /// <param name="task">The inner call's task.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : WaitOrAbandonAsync(task, cancellationToken);
    }

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="Task{TResult}"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The inner call's task.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : WaitOrAbandonAsync(task, cancellationToken);
    }

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="ValueTask"/>.</summary>
    /// <param name="task">The inner call's value task; consumed.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static ValueTask WaitAsync(ValueTask task, CancellationToken cancellationToken)
        => task.IsCompleted || !cancellationToken.CanBeCanceled ? task : new ValueTask(WaitOrAbandonAsync(task.AsTask(), cancellationToken));

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="ValueTask{TResult}"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The inner call's value task; consumed.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static ValueTask<T> WaitAsync<T>(ValueTask<T> task, CancellationToken cancellationToken)
        => task.IsCompleted || !cancellationToken.CanBeCanceled ? task : new ValueTask<T>(WaitOrAbandonAsync(task.AsTask(), cancellationToken));

    /// <summary>Marks <paramref name="task"/>'s eventual failure as observed, without waiting for it.</summary>
    internal static void Observe(Task task)
    {
        if (task.IsCompleted)
        {
            _ = task.Exception;
            return;
        }

        task.ContinueWith(s_observe, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static async Task WaitOrAbandonAsync(Task task, CancellationToken cancellationToken)
    {
        await WhenCompletedOrCanceled(task, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!task.IsCompleted)
        {
            throw Abandon(task, cancellationToken);
        }

        await task.ConfigureAwait(false);
    }

    private static async Task<T> WaitOrAbandonAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        await WhenCompletedOrCanceled(task, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!task.IsCompleted)
        {
            throw Abandon(task, cancellationToken);
        }

        return await task.ConfigureAwait(false);
    }
}
