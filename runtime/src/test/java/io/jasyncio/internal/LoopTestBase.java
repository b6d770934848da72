package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * What the loop tests share: an ordering script after kotlinx's {@code TestBase}
 * ({@link #expect}, {@link #finish}), a run on a loop with virtual time, and an after-each
 * check that the loop ended with no task, timer or channel wait left.
 */
abstract class LoopTestBase {
    /** The virtual time of the loop of {@link #run}. */
    final ManualClock clock = new ManualClock(1_000_000_000L);
    /** The loop of the last {@link #run}; null before. */
    EventLoop loop;
    private int actionIndex;
    private boolean finished;
    private boolean finishExpected;

    /** Asserts this is the {@code index}-th action of the test (counting from 1). */
    final void expect(int index) {
        int was = ++actionIndex;
        if (was != index) {
            fail("expected action " + index + ", but this is action " + was);
        }
    }

    /** The last action of the test; the after-each check asserts it happened. */
    final void finish(int index) {
        expect(index);
        if (finished) {
            fail("finish(" + index + ") reached twice");
        }
        finished = true;
    }

    /** An action that must never happen. */
    final void expectUnreached() {
        fail("reached an action that must not happen, after action " + actionIndex);
    }

    /** Runs {@code main} as {@code Asyncio.run} does, on a loop with virtual time. */
    final <T> T run(HandWoven<T> main) {
        finishExpected = true;
        return EventLoop.run(clock, newLoop -> {
            loop = newLoop;
            return (TaskCore) Asyncio.createTask(main);
        });
    }

    /** Runs {@code main} as {@code Asyncio.run} does, on the system clock (for channel tests). */
    final <T> T runOnSystemClock(HandWoven<T> main) {
        finishExpected = true;
        return EventLoop.run(System::nanoTime, newLoop -> {
            loop = newLoop;
            return (TaskCore) Asyncio.createTask(main);
        });
    }

    /** A step that sleeps (a suspending call). */
    static HandWoven.Step sleep(long millis) {
        return previous -> {
            Asyncio.sleep(Duration.ofMillis(millis));
            return null;
        };
    }

    /** A step that yields once, {@code sleep(ZERO)}. */
    static HandWoven.Step yieldOnce() {
        return previous -> {
            Asyncio.sleep(Duration.ZERO);
            return null;
        };
    }

    /** A step that awaits {@code task[0]} (set later than the step is built). */
    static HandWoven.Step await(Task<?>[] task) {
        return previous -> task[0].await();
    }

    @AfterEach
    void checkNothingLeft() {
        if (loop != null) {
            assertEquals("", loop.leftovers(), "left in the loop after run returned");
            assertTrue(EventLoop.current() == null, "a loop is still current on this thread");
        }
        if (finishExpected) {
            assertTrue(finished, "finish(...) was never reached; last action was " + actionIndex);
        }
    }
}
