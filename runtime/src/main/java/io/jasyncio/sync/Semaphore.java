package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;

/**
 * A counting semaphore for the tasks of one loop, like {@code asyncio.Semaphore}: a number of
 * permits; {@link #acquire()} takes one, parking while there is none, and {@link #release()}
 * gives one back. The usual use bounds how many tasks do something at once.
 *
 * <h2>Overview</h2>
 * Waiters park on the one fair {@link WaitQueue} of the synchronisation primitives and are
 * served first-in first-out. {@link #release()} hands its permit straight to the first waiter,
 * which owns it from that moment, before it runs; the count goes up only when nobody waits.
 * So a task that comes along meanwhile cannot take the permit first, and
 * {@code availablePermits() > 0} implies that nobody waits.
 *
 * <p>Cancellation takes nothing: a waiter cancelled while queued leaves the queue; a waiter
 * cancelled after it was handed a permit but before it ran passes the permit on to the next
 * waiter, or back to the count.
 *
 * <p>Like {@code asyncio.Semaphore}, {@code release} may be called more often than
 * {@code acquire}, which raises the count above its initial value. Usage:
 * <pre>{@code
 * semaphore.acquire();
 * try {
 *     ... // at most `permits` tasks are here at once
 * } finally {
 *     semaphore.release();
 * }
 * }</pre>
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class Semaphore {
    /** Permits not handed to anyone. Invariant: {@code permits > 0} implies {@code waiters.isEmpty()}. */
    private int permits;
    /** The tasks waiting for a permit, first-in first-out. */
    private final WaitQueue waiters = new WaitQueue();
    /** What the waiters park on. */
    private final WaitSite waitSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            Semaphore.this.cancelWait(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "Semaphore permit";
        }
    };

    /**
     * Makes a semaphore with {@code permits} permits.
     *
     * @param permits the initial number of permits, zero or more
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("Semaphore: permits must not be negative, but is " + permits);
        }
        this.permits = permits;
    }

    /**
     * Takes a permit, parking until one is handed to this task when none is available. Returns
     * without parking when a permit is available.
     *
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it
     *     waits; it then holds no permit
     */
    @Async
    public void acquire() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Semaphore.acquire");
        if (permits > 0) {
            permits--;
            return;
        }
        waiters.park(loop, waitSite);
    }

    /**
     * Takes a permit if one is available now, without parking.
     *
     * @return {@code true} if a permit was taken
     */
    public boolean tryAcquire() {
        if (permits > 0) {
            permits--;
            return true;
        }
        return false;
    }

    /**
     * Gives a permit back: the first waiter, if any, now holds it; otherwise the count goes up.
     * Does not park.
     *
     * @throws IllegalStateException if the count would overflow {@code Integer.MAX_VALUE}
     */
    public void release() {
        if (waiters.wakeFirst(null) != null) {
            return;
        }
        if (permits == Integer.MAX_VALUE) {
            throw new IllegalStateException("Semaphore.release: the count would exceed Integer.MAX_VALUE");
        }
        permits++;
    }

    /**
     * The permits that {@link #acquire()} could take now without parking.
     *
     * @return zero or more
     */
    public int availablePermits() {
        return permits;
    }

    /**
     * Whether {@link #acquire()} would park now, like {@code asyncio.Semaphore.locked()}.
     *
     * @return {@code true} when no permit is available
     */
    public boolean isLocked() {
        return permits == 0;
    }

    /** A waiter cancelled while queued leaves; one handed a permit before it ran passes it on. */
    private void cancelWait(TaskCore task) {
        if (!waiters.remove(task)) {
            release();
        }
    }

    @Override
    public String toString() {
        return "Semaphore[" + permits + " permits, " + waiters.size() + " waiting]";
    }
}
