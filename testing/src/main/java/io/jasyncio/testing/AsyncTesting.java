package io.jasyncio.testing;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.internal.EventLoop;
import java.time.Duration;
import java.util.Objects;

/**
 * What a test running under {@link AsyncTest} (or {@link AsyncTestRunner}) reaches from its
 * tasks: the loop's {@link VirtualClock}, and explicit control of time and of the ready tasks.
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
