package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;

/**
 * A flag tasks can wait for, like {@code asyncio.Event}: {@link #set()} wakes every task in
 * {@link #await()}, and later calls of {@code await} return at once until {@link #clear()}.
 *
 * <h2>Overview</h2>
 * Waiters park on the one fair {@link WaitQueue} of the synchronisation primitives; {@code set}
 * wakes them all, first-in first-out. A waiter woken by {@code set} returns from {@code await}
 * even if the event is cleared again before it runs (as in asyncio): it was woken by a set
 * that happened. A waiter cancelled while it waits leaves the queue; one cancelled after
 * {@code set} woke it but before it ran simply throws the {@code CancellationException}:
 * an event hands out nothing that could be lost.
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class Event {
    /** Whether the event is set. Invariant: {@code set} implies {@code waiters.isEmpty()}. */
    private boolean set;
    /** The tasks waiting for the event to be set, first-in first-out. */
    private final WaitQueue waiters = new WaitQueue();
    /** What the waiters park on. */
    private final WaitSite waitSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            waiters.remove(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "Event to be set";
        }
    };

    /** Makes an event that is not set. */
    public Event() {}

    /**
     * Sets the event and wakes every task waiting for it, first-in first-out. Does not park;
     * does nothing more when the event is already set.
     */
    public void set() {
        set = true;
        waiters.wakeAll(null);
    }

    /** Clears the event: later calls of {@link #await()} park until the next {@link #set()}. */
    public void clear() {
        set = false;
    }

    /**
     * Whether the event is set.
     *
     * @return {@code true} between {@link #set()} and {@link #clear()}
     */
    public boolean isSet() {
        return set;
    }

    /**
     * Parks until the event is set; returns at once when it is set already.
     *
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public void await() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Event.await");
        if (set) {
            return;
        }
        waiters.park(loop, waitSite);
    }

    @Override
    public String toString() {
        return set ? "Event[set]" : "Event[not set, " + waiters.size() + " waiting]";
    }
}
