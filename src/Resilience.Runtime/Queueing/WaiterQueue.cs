namespace Resilience;

/// <summary>
/// The base class of a caller waiting in a <see cref="WaiterQueue{TWaiter}"/>: it carries the queue's links itself, so
/// queuing a caller allocates no node. <typeparamref name="TWaiter"/> is the derived waiter type (the links are typed
/// with it, so walking the queue needs no cast).
/// </summary>
/// <typeparam name="TWaiter">The owner's waiter type, derived from this class.</typeparam>
/// <remarks>
/// The links belong to the queue: only <see cref="WaiterQueue{TWaiter}"/> writes them, and they are read and written
/// under the owner's lock only (see the queue's threading contract). A waiter is in at most one queue at a time.
/// </remarks>
internal abstract class QueuedWaiter<TWaiter>
    where TWaiter : QueuedWaiter<TWaiter>
{
    /// <summary>The queue this waiter is in; <see langword="null"/> once dequeued or removed (or before it was enqueued).</summary>
    internal WaiterQueue<TWaiter>? Queue;

    /// <summary>The waiter queued just before this one (older); <see langword="null"/> at the head or outside a queue.</summary>
    internal TWaiter? Previous;

    /// <summary>The waiter queued just after this one (newer); <see langword="null"/> at the tail or outside a queue.</summary>
    internal TWaiter? Next;

    /// <summary>Whether the waiter is in a queue now: enqueued and neither dequeued nor removed since.</summary>
    public bool IsQueued => Queue is not null;
}

/// <summary>
/// A first-in, first-out queue of waiting callers, shared by <see cref="Bulkhead"/> and
/// <see cref="TimeProviderRateLimiter"/>: an intrusive doubly linked list whose links live in the waiters themselves
/// (<see cref="QueuedWaiter{TWaiter}"/>). <see cref="Enqueue"/>, <see cref="Dequeue"/> and <see cref="Remove"/> (a
/// waiter leaving from anywhere in the queue, as a cancelled or timed-out caller does) are O(1) and allocate nothing.
/// </summary>
/// <typeparam name="TWaiter">The owner's waiter type.</typeparam>
/// <remarks>
/// <para>
/// Threading contract: not thread-safe. Every member, and every read of a waiter's links or <see cref="QueuedWaiter{TWaiter}.IsQueued"/>,
/// must run under the one lock of the queue's owner. The owner's cancellation and timer callbacks take that lock and
/// then call <see cref="Remove"/>, which tells them whether the waiter was still queued: a waiter already served,
/// cancelled or rejected is not in the queue any more, so exactly one of the racing parties (the one that dequeues or
/// removes it) completes it.
/// </para>
/// <para>
/// What the queue does not do: count permits, complete waiters, unregister their tokens or stop their timers. The owner
/// does that right after <see cref="Dequeue"/> or <see cref="Remove"/>, still under its lock.
/// </para>
/// </remarks>
internal sealed class WaiterQueue<TWaiter>
    where TWaiter : QueuedWaiter<TWaiter>
{
    private TWaiter? _head;
    private TWaiter? _tail;

    /// <summary>Waiters in the queue.</summary>
    public int Count { get; private set; }

    /// <summary>The oldest waiter (the next to be served), or <see langword="null"/> when the queue is empty. Walk on with <see cref="QueuedWaiter{TWaiter}.Next"/>.</summary>
    public TWaiter? First => _head;

    /// <summary>Adds <paramref name="waiter"/> as the newest waiter.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="waiter"/> is already in a queue.</exception>
    public void Enqueue(TWaiter waiter)
    {
        if (waiter.Queue is not null)
        {
            throw new InvalidOperationException("The waiter is already queued; a waiter is in at most one queue, once.");
        }

        waiter.Queue = this;
        waiter.Previous = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        Count++;
    }

    /// <summary>Takes the oldest waiter out of the queue.</summary>
    /// <returns>The oldest waiter, or <see langword="null"/> when the queue is empty.</returns>
    public TWaiter? Dequeue()
    {
        TWaiter? head = _head;
        if (head is not null)
        {
            Unlink(head);
        }

        return head;
    }

    /// <summary>Takes <paramref name="waiter"/> out of the queue wherever it is, if it is in this queue.</summary>
    /// <returns><see langword="true"/> when it was in this queue; <see langword="false"/> when it had already left it (dequeued or removed) or was never in it.</returns>
    public bool Remove(TWaiter waiter)
    {
        if (!ReferenceEquals(waiter.Queue, this))
        {
            return false;
        }

        Unlink(waiter);
        return true;
    }

    private void Unlink(TWaiter waiter)
    {
        TWaiter? previous = waiter.Previous;
        TWaiter? next = waiter.Next;
        if (previous is null)
        {
            _head = next;
        }
        else
        {
            previous.Next = next;
        }

        if (next is null)
        {
            _tail = previous;
        }
        else
        {
            next.Previous = previous;
        }

        waiter.Queue = null;
        waiter.Previous = null;
        waiter.Next = null;
        Count--;
    }
}
