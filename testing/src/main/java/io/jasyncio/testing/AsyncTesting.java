package io.jasyncio.testing;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.SimulatedNetwork;
import io.jasyncio.internal.EventLoop;
import java.time.Duration;
import java.util.Objects;

/**
 * What a test running under {@link AsyncTest} (or {@link AsyncTestRunner}) reaches from its
 * tasks: the loop's {@link VirtualClock}, explicit control of time and of the ready tasks, and
 * the loop's simulated network.
 */
public final class AsyncTesting {
    private AsyncTesting() {}

    /**
     * The virtual clock of the loop running on this thread.
     *
     * @return the clock
     * @throws IllegalStateException when no loop runs on this thread, or its clock is not a
     *     {@link VirtualClock} (for example {@code @AsyncTest(virtualTime = false)})
     */
    public static VirtualClock clock() {
        EventLoop.Clock clock = EventLoop.require("AsyncTesting.clock").clock();
        if (!(clock instanceof VirtualClock)) {
            throw new IllegalStateException("the running loop's clock is not virtual: " + clock
                    + "; run the test with @AsyncTest(virtualTime = true)");
        }
        return (VirtualClock) clock;
    }

    /**
     * The simulated network of the loop running on this thread: the test sets its latency,
     * loss, duplication, reordering and partitions through it, and reads its counts.
     *
     * @return the network, the same one for the whole run of one schedule
     * @throws IllegalStateException when no loop runs on this thread, or it has no simulated
     *     network (the test lacks {@code @AsyncTest(simulatedNetwork = true)})
     */
    public static SimulatedNetwork network() {
        EventLoop loop = EventLoop.require("AsyncTesting.network");
        if (loop.network() == null) {
            throw new IllegalStateException("the running loop has no simulated network: "
                    + "run the test with @AsyncTest(simulatedNetwork = true)");
        }
        return SimulatedNetwork.current();
    }

    /**
     * The seed of the simulated network of a schedule: {@code scheduleSeed} scrambled
     * (SplitMix64's finaliser over it plus a constant), so that the network's choices do not
     * repeat the schedule's own sequence of numbers. Replaying a schedule seed therefore
     * replays its network too.
     *
     * @param scheduleSeed the seed of the schedule ({@link AsyncTest#seed()} plus its index)
     * @return the network's seed
     */
    public static long networkSeed(long scheduleSeed) {
        long z = scheduleSeed + 0x6A09E667F3BCC909L; // the fractional bits of the square root of 2
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Parks the calling task until every other task has parked (none is ready to run), without
     * moving time: the tasks woken meanwhile, and those they wake, all run first. Cancelling
     * the caller ends the wait with a {@code CancellationException}.
     *
     * @throws IllegalStateException when not called from a task
     */
    @Async
    public static void runUntilIdle() {
        EventLoop loop = EventLoop.require("AsyncTesting.runUntilIdle");
        do {
            Asyncio.sleep(Duration.ZERO);
        } while (loop.readyCount() > 0);
    }

    /**
     * Lets {@code duration} of virtual time pass while the other tasks run: every timer due by
     * then falls due at its own instant, and the tasks it wakes run before time moves on, as
     * in real time; then returns, once every other task has parked ({@link #runUntilIdle}).
     * Works with auto-advance on or off. Cancelling the caller ends the wait early.
     *
     * @param duration how long, not negative
     * @throws IllegalStateException when the running loop's clock is not virtual
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    @Async
    public static void advanceBy(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("virtual time cannot move back: " + duration);
        }
        VirtualClock clock = clock();
        clock.allowUntil(clock.nanoTime() + duration.toNanos());
        try {
            Asyncio.sleep(duration);
        } finally {
            clock.disallow();
        }
        runUntilIdle();
    }
}
