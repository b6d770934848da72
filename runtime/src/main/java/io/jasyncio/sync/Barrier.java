package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;
import java.util.concurrent.BrokenBarrierException;

/**
 * A meeting point for a fixed number of tasks, like {@code asyncio.Barrier}: each of
 * {@link #parties()} tasks calls {@link #await()}, which parks until the last of them arrives;
 * then all of them go on together, and the barrier is ready for the next round.
 *
 * <h2>Overview</h2>
 * The arrivals park on the one fair {@link WaitQueue} of the synchronisation primitives. The
 * last arrival does not park: it wakes the others, first-in first-out, handing each its arrival
 * index ({@code 0} for the first, {@code parties() - 1} for itself), and empties the barrier at
 * once, so that a task arriving afterwards starts the next round even if the woken ones have
 * not run yet. Indices are given out when the barrier trips, in queue order, so they stay
 * {@code 0 .. parties() - 1} without gaps or repeats even when some waiters were cancelled
 * (asyncio numbers them at arrival and can repeat one after a cancel).
 *
 * <p>Cancellation: a waiter cancelled while it waits leaves, and the barrier waits for another
 * arrival in its place (as in asyncio, a cancel does not break the barrier). A waiter cancelled
 * after the barrier tripped but before it ran throws the {@code CancellationException}; the
 * others have passed the barrier and are not affected.
 *
 * <p>{@link #abort()} breaks the barrier: every waiter, and every later {@code await}, throws
 * {@link BrokenBarrierException} until {@link #reset()}. {@code reset()} breaks the current
 * round for those waiting in it and makes the barrier usable again.
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class Barrier {
    /** What waiters of a round broken by {@link #abort()} or {@link #reset()} are woken with. */
    private static final Object BROKEN = new Object();
    private static final Resumer AWAIT = frame -> frame == null ? null : ((Barrier) frame.refs[0]).arrive();

    private final int parties;
    /** The tasks that arrived in this round and wait for the last one. Invariant: fewer than {@link #parties}. */
    private final WaitQueue waiters = new WaitQueue();
    /** What the arrivals park on. */
    private final WaitSite waitSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            waiters.remove(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "Barrier, " + waiters.size() + " of " + parties + " arrived";
        }
    };
    private boolean broken;

    /**
     * Makes a barrier for {@code parties} tasks.
     *
     * @param parties how many tasks must call {@link #await()} before they all go on; 1 or more
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("Barrier: parties must be 1 or more, but is " + parties);
        }
        this.parties = parties;
    }

    /**
     * Arrives at the barrier and parks until {@link #parties()} tasks have arrived; the last one
     * does not park.
     *
     * @return the arrival index in this round: {@code 0} for the first task to arrive (of those
     *     not cancelled), {@code parties() - 1} for the last
     * @throws BrokenBarrierException if the barrier is broken, or is aborted or reset while this
     *     task waits
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it
     *     waits; it then no longer counts as arrived
     */
    @Async
    public int await() throws BrokenBarrierException {
        return (Integer) arrive();
    }

    /** {@link #await()}, entered anew or resumed by {@link #AWAIT}. */
    private Object arrive() throws BrokenBarrierException {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Barrier.await");
        if (Coroutines.resumeFrame(loop) != null) {
            Object woken = Coroutines.resumeValue(loop);
            if (woken == BROKEN) {
                throw new BrokenBarrierException("Barrier.await: the barrier was aborted or reset while this task waited");
            }
            return woken;
        }
        if (broken) {
            throw new BrokenBarrierException("Barrier.await: the barrier is broken (aborted); reset() it first");
        }
        int index = waiters.size();
        if (index + 1 == parties) {
            for (int i = 0; i < index; i++) {
                waiters.wakeFirst(i);
            }
            return index;
        }
        waiters.park(loop, waitSite);
        PrimitiveFrames.spill(loop, null, AWAIT, /* state = */ 1, this);
        return 0; // ignored: the task parked
    }

    /**
     * Breaks the barrier: every task waiting in {@link #await()} is woken with a
     * {@link BrokenBarrierException}, and so is every later call until {@link #reset()}. Does
     * not park.
     */
    public void abort() {
        broken = true;
        waiters.wakeAll(BROKEN);
    }

    /**
     * Makes the barrier usable again, empty and not broken. Tasks waiting in the current round
     * are woken with a {@link BrokenBarrierException}. Does not park.
     */
    public void reset() {
        waiters.wakeAll(BROKEN);
        broken = false;
    }

    /**
     * How many tasks must arrive for the barrier to trip.
     *
     * @return the number given to the constructor
     */
    public int parties() {
        return parties;
    }

    /**
     * How many tasks wait in the current round.
     *
     * @return from 0 to {@code parties() - 1}
     */
    public int waiting() {
        return waiters.size();
    }

    /**
     * Whether the barrier is broken by {@link #abort()} and not yet {@link #reset()}.
     *
     * @return {@code true} when broken
     */
    public boolean isBroken() {
        return broken;
    }

    @Override
    public String toString() {
        return "Barrier[" + waiters.size() + "/" + parties + " waiting" + (broken ? ", broken" : "") + "]";
    }
}
