package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.AsyncCallable;
import io.jasyncio.AsyncRunnable;
import io.jasyncio.Asyncio;
import io.jasyncio.SimulatedNetwork;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.ManualClock;
import io.jasyncio.internal.TaskCore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the woven behaviour tests share: an ordering script in the style of kotlinx's
 * {@code TestBase} ({@link #expect}, {@link #finish}), runs on the public {@code Asyncio.run}
 * or on a loop with virtual time, and an after-each check that every loop a test ran ended
 * with no task, timer or channel wait left and that {@code finish} was reached.
 */
abstract class AsyncTestBase {
    /** The virtual time of {@link #runInVirtualTime}. */
    final ManualClock clock = new ManualClock(5_000_000_000L);
    private final List<EventLoop> loops = new ArrayList<>();
    private int actionIndex;
    private boolean finished;

    /** Asserts this is the {@code index}-th action of the test, counting from 1. */
    final void expect(int index) {
        int was = ++actionIndex;
        if (was != index) {
            fail("expected action " + index + ", but this is action " + was);
        }
    }

    /** The last action of the test; the after-each check asserts it was reached. */
    final void finish(int index) {
        expect(index);
        assertTrue(!finished, "finish reached twice");
        finished = true;
    }

    /** Marks code that must never run. */
    final void expectUnreached() {
        fail("reached code that must not run, after action " + actionIndex);
    }

    /** {@code Asyncio.run(main)}, remembering the loop for the after-each check. */
    final <T> T run(AsyncCallable<T> main) {
        return Asyncio.run(() -> {
            loops.add(EventLoop.current());
            return main.call();
        });
    }

    /** {@code Asyncio.run(main)} for a body without a result. */
    final void run(AsyncRunnable main) {
        Asyncio.run(() -> {
            loops.add(EventLoop.current());
            main.run();
        });
    }

    /** Like {@code Asyncio.run}, on a loop whose time is {@link #clock}: sleeps take no real time. */
    final <T> T runInVirtualTime(AsyncCallable<T> main) {
        return EventLoop.run(clock, loop -> {
            loops.add(loop);
            return (TaskCore) Asyncio.createTask(main);
        });
    }

    /** {@code network.run(main)}: virtual time, datagrams through {@code network}; the loop is checked after each test. */
    final <T> T runOn(SimulatedNetwork network, AsyncCallable<T> main) {
        return network.run(() -> {
            loops.add(EventLoop.current());
            return main.call();
        });
    }

    @AfterEach
    void checkNothingLeft() {
        for (EventLoop loop : loops) {
            assertEquals("", loop.leftovers(), "left in the loop after run ended");
        }
        assertTrue(EventLoop.current() == null, "a loop is still current on the test thread");
        assertTrue(finished, "finish(...) was not reached; the last action was " + actionIndex);
    }
}
