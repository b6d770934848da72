package io.jasyncio.internal;

/**
 * A first-in first-out queue of parked tasks: the one fair wait queue under every
 * synchronisation primitive ({@code Lock}, and {@code Event}, {@code Semaphore}, {@code Queue}),
 * after Trio's parking lot and the queue of j.u.c.'s {@code AbstractQueuedSynchronizer}.
 *
 * <h2>How a primitive uses it</h2>
 * The primitive is the {@link WaitSite}; the queue only orders its waiters. To wait, a primitive
 * calls {@link #park}. To hand something over (the lock, a permit, an item), it calls
 * {@link #wakeFirst} with the value the waiter's suspending call returns: the waiter leaves the
 * queue, becomes ready, and owns what it was handed even before it runs, so nobody can barge in.
 * When a waiter is cancelled, the loop calls the primitive's {@link WaitSite#cancelWait}; there,
 * {@link #remove} tells the two cases apart: {@code true}, the task was still queued and simply
 * leaves; {@code false}, it had already been handed something and has not run yet, so the
 * primitive passes that on (the next waiter gets the lock, the permit returns, the item goes
 * back) and the task takes nothing.
 *
 * <h2>Why intrusive</h2>
 * A parked task waits on one site at a time, so the queue links the tasks themselves
 * ({@code TaskCore.queueNext}/{@code queuePrevious}): parking allocates nothing and a cancelled
 * waiter leaves in O(1). A {@code LinkedHashSet} would allocate an entry per wait; an
 * {@code ArrayDeque} would make removal of a cancelled waiter a scan.
 *
 * <p>Not thread-safe: used on the loop's thread only.
 */
public final class WaitQueue {
    /** The first waiter, the next to be woken; null when empty. */
    private TaskCore head;
    /** The last waiter; null when empty. */
    private TaskCore tail;
    /** Number of tasks linked from {@link #head}. */
    private int size;

    /** Whether no task waits. */
    public boolean isEmpty() {
        return head == null;
    }

    /** The number of tasks waiting. */
    public int size() {
        return size;
    }

    /**
     * Parks the calling task at the tail of the queue. The caller (a primitive) must return at
     * once; the task's suspending call later returns what {@link #wakeFirst} hands it, or throws
     * the {@code CancellationException} of a cancel.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param site the primitive, told by {@link WaitSite#cancelWait} when the task is cancelled
     * @return the task that parked
     */
    public TaskCore park(EventLoop loop, WaitSite site) {
        TaskCore task = loop.currentTask("WaitQueue.park");
        task.queuePrevious = tail;
        task.queueNext = null;
        if (tail == null) {
            head = task;
        } else {
            tail.queueNext = task;
        }
        tail = task;
        size++;
        loop.suspend(task, site, null);
        return task;
    }

    /**
     * Takes the first waiter out of the queue and makes it ready; its suspending call returns
     * {@code value}.
     *
     * @param value what the waiter's suspending call returns; may be null
     * @return the task woken, or null when the queue was empty
     */
    public TaskCore wakeFirst(Object value) {
        TaskCore task = head;
        if (task == null) {
            return null;
        }
        unlink(task);
        task.loop.wake(task, value);
        return task;
    }

    /**
     * Wakes every waiter, first-in first-out, each with {@code value}.
     *
     * @param value what each waiter's suspending call returns
     * @return how many tasks were woken
     */
    public int wakeAll(Object value) {
        int woken = 0;
        while (wakeFirst(value) != null) {
            woken++;
        }
        return woken;
    }

    /**
     * Takes {@code task} out of the queue if it waits in it. Called from
     * {@link WaitSite#cancelWait}.
     *
     * @param task a task parked on, or woken by, this queue's primitive
     * @return {@code true} if it was waiting and has left; {@code false} if it is not in this
     *     queue, which for a task whose wait site is the queue's primitive means that it was
     *     already woken by {@link #wakeFirst}, and was handed something it has not taken yet
     */
    public boolean remove(TaskCore task) {
        if (task.queuePrevious == null && head != task) {
            return false;
        }
        unlink(task);
        return true;
    }

    /**
     * The value {@link #wakeFirst} handed {@code task}, which has not run yet; for a primitive
     * that must take an item back from a cancelled waiter. Must be called from
     * {@link WaitSite#cancelWait}, before the cancellation replaces it.
     */
    public static Object handedValue(TaskCore task) {
        return (task.flags & TaskCore.FAILS) == 0 ? task.value : null;
    }

    private void unlink(TaskCore task) {
        TaskCore previous = task.queuePrevious;
        TaskCore next = task.queueNext;
        if (previous == null) {
            head = next;
        } else {
            previous.queueNext = next;
        }
        if (next == null) {
            tail = previous;
        } else {
            next.queuePrevious = previous;
        }
        task.queuePrevious = null;
        task.queueNext = null;
        size--;
    }
}
