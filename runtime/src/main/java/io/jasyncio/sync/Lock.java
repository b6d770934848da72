package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;

/**
 * A mutual-exclusion lock for the tasks of one event loop, like {@code asyncio.Lock}: at most
 * one task holds it, including while that task is parked on other suspending calls.
 *
 * <h2>Overview</h2>
 * The lock is fair: waiters get it first-in first-out. {@link #release()} hands the lock
 * directly to the first waiter, which owns it from that moment, before it even runs; the lock
 * never looks free in between, so a task that comes along meanwhile queues behind the others
 * instead of barging in. {@code asyncio.Lock} instead frees the lock and wakes the first waiter
 * to try again, so a newcomer can take it first; that was rejected because it makes the order
 * depend on timing, and jasyncio promises that programs built from tasks and sleeps give the
 * same output on every run.
 *
 * <p>Cancellation takes nothing: a waiter cancelled while queued leaves the queue; a waiter
 * cancelled after it was handed the lock but before it ran passes the lock on to the next
 * waiter (or frees it). Both happen in {@code cancelWait}, which the loop calls for a cancelled
 * task waiting on this lock (see {@link WaitQueue} for how the two cases are told apart).
 *
 * <p>An uncontended {@link #acquire()} does not park. The lock is not reentrant: a task that
 * holds it and acquires it again gets an {@code IllegalStateException} rather than a deadlock.
 * Like {@code asyncio.Lock}, any task may release the lock, not only the one that acquired it.
 *
 * <p>Usage, releasing in {@code finally} so that a cancelled or failing task gives the lock
 * back:
 * <pre>{@code
 * lock.acquire();
 * try {
 *     ... // suspending calls allowed; no other task gets the lock meanwhile
 * } finally {
 *     lock.release();
 * }
 * }</pre>
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class Lock {
    /**
     * The task that holds the lock, or was handed it and has not run yet; null when free.
     * Invariant: {@code owner == null} implies {@code waiters.isEmpty()}.
     */
    private TaskCore owner;
    /** The tasks waiting for the lock, first-in first-out. */
    private final WaitQueue waiters = new WaitQueue();
    /** What the waiters park on; kept private so the public type shows only the lock's API. */
    private final WaitSite waitSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            Lock.this.cancelWait(task);
        }

        @Override
        public String describe(TaskCore task) {
            if (owner == null) {
                return "Lock held by nobody";
            }
            return "Lock held by " + owner.name() + (owner.isDone() ? ", which ended without releasing it" : "");
        }

        /** The owner: for the dump, the task this waiter waits for, which may close a lock cycle. */
        @Override
        public TaskCore holder(TaskCore task) {
            return owner;
        }
    };

    /** Makes a lock that is not locked. */
    public Lock() {}

    /**
     * Acquires the lock, parking until it is this task's turn when another task holds it.
     * Returns without parking when the lock is free.
     *
     * @throws IllegalStateException when called outside a task, or by the task that already
     *     holds the lock
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it
     *     waits; it then does not hold the lock
     */
    @Async
    public void acquire() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Lock.acquire");
        TaskCore task = loop.currentTask("Lock.acquire");
        if (owner == null) {
            owner = task;
            return;
        }
        if (owner == task) {
            throw new IllegalStateException("Lock.acquire: task " + task.name()
                    + " already holds this lock, which is not reentrant");
        }
        waiters.park(loop, waitSite);
    }

    /**
     * Releases the lock: the first waiter, if any, now holds it, otherwise the lock is free.
     * Does not park.
     *
     * @throws IllegalStateException when the lock is not locked
     */
    public void release() {
        if (owner == null) {
            throw new IllegalStateException("Lock.release: the lock is not locked");
        }
        handOff();
    }

    /**
     * Whether a task holds the lock (or has been handed it and will run soon).
     *
     * @return {@code true} when locked
     */
    public boolean isLocked() {
        return owner != null;
    }

    /** Whether {@code task} holds the lock (or has been handed it); for {@link Condition}. */
    boolean isHeldBy(TaskCore task) {
        return owner == task;
    }

    /** Gives the lock to the first waiter, or frees it. */
    private void handOff() {
        owner = waiters.wakeFirst(null);
    }

    /**
     * Called by the loop when {@code task}, parked in {@link #acquire()} or handed the lock and
     * not yet run, is cancelled: it takes nothing.
     */
    private void cancelWait(TaskCore task) {
        if (!waiters.remove(task) && owner == task) {
            handOff();
        }
    }

    @Override
    public String toString() {
        if (owner == null) {
            return "Lock[unlocked]";
        }
        return "Lock[locked by " + owner.name() + ", " + waiters.size() + " waiting]";
    }
}
