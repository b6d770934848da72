package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * A condition variable bound to a {@link Lock}, like {@code asyncio.Condition}: a task that
 * holds the lock {@linkplain #await() waits} for another task to {@linkplain #signal()
 * signal} that something changed, giving the lock up while it waits.
 *
 * <h2>Overview</h2>
 * {@link #await()} releases the lock, parks on this condition's fair {@link WaitQueue}, and,
 * once signalled, acquires the lock again (queueing on the lock's own wait queue) before it
 * returns; so it always returns, or throws, with the lock held, and the usual loop is safe:
 * <pre>{@code
 * condition.acquire();
 * try {
 *     while (!ready()) {
 *         condition.await();
 *     }
 *     ... // ready() holds, and the lock is held
 * } finally {
 *     condition.release();
 * }
 * }</pre>
 * {@link #signal(int)} wakes waiters first-in first-out. The names follow
 * {@code java.util.concurrent.locks.Condition}, since {@code notify} and {@code notifyAll} are
 * final methods of {@code Object}: {@code signal} is asyncio's {@code notify},
 * {@code signalAll} its {@code notify_all}.
 *
 * <p>Cancellation: a waiter cancelled while it waits for a signal leaves the queue; one
 * cancelled after a signal woke it but before it ran passes the signal on to the next waiter,
 * so a {@code signal()} is never swallowed by a task that will not look at the state. Either
 * way, and also when cancelled while it queues for the lock again, {@code await} first gets the
 * lock back and only then throws the {@code CancellationException}, so that the caller's
 * {@code finally} releases a lock it holds. Only a second cancel while it still queues for the
 * lock makes it give up and throw without the lock: otherwise a lock whose holder ended without
 * releasing it would keep the task for ever, and {@code Asyncio.run}, which cancels leftover
 * tasks until they end, would never return.
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class Condition {
    private static final int WAITING_FOR_SIGNAL = 1;
    private static final int ACQUIRING_AGAIN = 2;
    private static final Resumer AWAIT = frame -> frame == null ? null : ((Condition) frame.refs[0]).awaitSignal();

    private final Lock lock;
    /** The tasks waiting for a signal, first-in first-out; they do not hold the lock. */
    private final WaitQueue waiters = new WaitQueue();
    /** What the waiters for a signal park on. */
    private final WaitSite waitSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            Condition.this.cancelWait(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "Condition signal";
        }
    };

    /** Makes a condition with a new lock of its own. */
    public Condition() {
        this(new Lock());
    }

    /**
     * Makes a condition bound to {@code lock}; several conditions may share one lock.
     *
     * @param lock the lock a task must hold to await or signal
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * The lock this condition is bound to.
     *
     * @return the lock given to the constructor, or the condition's own
     */
    public Lock lock() {
        return lock;
    }

    /**
     * Acquires the lock; the same as {@code lock().acquire()}.
     *
     * @throws IllegalStateException when called outside a task, or by the task holding the lock
     * @throws CancellationException if the task is cancelled while it waits for the lock
     */
    @Async
    public void acquire() {
        lock.acquire();
    }

    /**
     * Releases the lock; the same as {@code lock().release()}.
     *
     * @throws IllegalStateException when the lock is not locked
     */
    public void release() {
        lock.release();
    }

    /**
     * Whether the lock is held.
     *
     * @return {@code lock().isLocked()}
     */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * Releases the lock, parks until a {@link #signal} wakes this task, then acquires the lock
     * again; on return, and on any exception, the calling task holds the lock. A signal is not
     * remembered: one made while no task awaits wakes nobody, so always test the state in a
     * loop around {@code await}.
     *
     * @throws IllegalStateException when called outside a task, or by a task that does not
     *     hold the lock
     * @throws CancellationException if the task is cancelled while it waits, thrown once the
     *     task holds the lock again; or, without the lock, if it is cancelled a second time
     *     while it queues for the lock again
     */
    @Async
    public void await() {
        awaitSignal();
    }

    /** {@link #await()}, entered anew or resumed by {@link #AWAIT}: a hand-woven state machine. */
    private Object awaitSignal() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Condition.await");
        Frame frame = Coroutines.resumeFrame(loop);
        if (frame == null) {
            TaskCore task = loop.currentTask("Condition.await");
            if (!lock.isHeldBy(task)) {
                throw new IllegalStateException("Condition.await: task " + task.name()
                        + " does not hold the condition's lock; acquire it first");
            }
            lock.release();
            waiters.park(loop, waitSite);
            PrimitiveFrames.spill(loop, null, AWAIT, WAITING_FOR_SIGNAL, this);
            return null;
        }
        CancellationException cancelled = frame.state == ACQUIRING_AGAIN ? (CancellationException) frame.refs[1] : null;
        boolean holdsLock = false;
        try {
            Coroutines.resumeValue(loop);
            holdsLock = frame.state == ACQUIRING_AGAIN; // the lock was handed over; else signalled
        } catch (CancellationException e) {
            if (cancelled != null) {
                // Cancelled again while queueing for the lock: give up on it, so that a lock
                // never released (its holder ended) cannot keep this task for ever.
                cancelled.addSuppressed(e);
                throw cancelled;
            }
            cancelled = e;
        }
        if (holdsLock) {
            return rethrow(cancelled);
        }
        // Signalled or cancelled: take the lock back before returning or throwing.
        lock.acquire();
        if (loop.parking) {
            PrimitiveFrames.spill(loop, frame, AWAIT, ACQUIRING_AGAIN, this, cancelled);
            return null;
        }
        return rethrow(cancelled);
    }

    private static Object rethrow(CancellationException cancelled) {
        if (cancelled != null) {
            throw cancelled;
        }
        return null;
    }

    /**
     * Wakes the first task waiting in {@link #await()}, if any. It runs once the caller has
     * released the lock. Does not park.
     *
     * @throws IllegalStateException when the calling task does not hold the lock
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} tasks waiting in {@link #await()}, first-in first-out, like
     * {@code asyncio.Condition.notify(n)}. Does not park.
     *
     * @param n how many waiters to wake at most, zero or more
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException when the calling task does not hold the lock
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Condition.signal: n must not be negative, but is " + n);
        }
        checkHeld("signal");
        for (int i = 0; i < n && waiters.wakeFirst(null) != null; i++) {
            // woken in order
        }
    }

    /**
     * Wakes every task waiting in {@link #await()}, first-in first-out, like
     * {@code asyncio.Condition.notify_all()}. Does not park.
     *
     * @throws IllegalStateException when the calling task does not hold the lock
     */
    public void signalAll() {
        checkHeld("signalAll");
        waiters.wakeAll(null);
    }

    /**
     * The number of tasks waiting for a signal (not counting those queueing for the lock again).
     *
     * @return zero or more
     */
    public int waiting() {
        return waiters.size();
    }

    private void checkHeld(String method) {
        TaskCore task = EventLoop.require("Condition." + method).currentTask("Condition." + method);
        if (!lock.isHeldBy(task)) {
            throw new IllegalStateException("Condition." + method + ": the calling task does not hold the condition's lock");
        }
    }

    /** A waiter cancelled while queued leaves; one signalled before it ran passes the signal on. */
    private void cancelWait(TaskCore task) {
        if (!waiters.remove(task)) {
            waiters.wakeFirst(null);
        }
    }

    @Override
    public String toString() {
        return "Condition[" + lock + ", " + waiters.size() + " waiting]";
    }
}
