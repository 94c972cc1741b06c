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
    /// Waits for <paramref name="task"/> until <paramref name="cancellationToken"/> is cancelled, then abandons it
    /// (it keeps running) and ends with <see cref="OperationCanceledException"/>. Used by a timeout on a method that
    /// takes no <see cref="CancellationToken"/>. Returns <paramref name="task"/> itself when it has completed or the
    /// token can never be cancelled, so a synchronous completion allocates nothing.
    /// </summary>
    /// <param name="task">The inner call's task.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="Task{TResult}"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The inner call's task.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="ValueTask"/>.</summary>
    /// <param name="task">The inner call's value task; consumed.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static ValueTask WaitAsync(ValueTask task, CancellationToken cancellationToken)
        => task.IsCompleted || !cancellationToken.CanBeCanceled ? task : new ValueTask(task.AsTask().WaitAsync(cancellationToken));

    /// <summary>Like <see cref="WaitAsync(Task, CancellationToken)"/> for <see cref="ValueTask{TResult}"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The inner call's value task; consumed.</param>
    /// <param name="cancellationToken">The timeout's token.</param>
    public static ValueTask<T> WaitAsync<T>(ValueTask<T> task, CancellationToken cancellationToken)
        => task.IsCompleted || !cancellationToken.CanBeCanceled ? task : new ValueTask<T>(task.AsTask().WaitAsync(cancellationToken));
}
