package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code IllegalStateException}s of calls made where no task of a running loop is the caller. */
class OutsideLoopTest extends LoopTestBase {

    @Test
    void sleep_outsideALoop_throwsNamingTheMethod() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Asyncio.sleep(Duration.ZERO));
        assertEquals("io.jasyncio.Asyncio.sleep() is @Async and was called outside a task: "
                + "start it with Asyncio.run(...) or Asyncio.createTask(...)", thrown.getMessage());
    }

    @Test
    void sleepMillis_outsideALoop_throwsNamingTheMethod() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Asyncio.sleep(5));
        assertTrue(thrown.getMessage().startsWith("io.jasyncio.Asyncio.sleep() is @Async"), thrown.getMessage());
    }

    @Test
    void createTask_outsideALoop_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Asyncio.createTask(HandWoven.body()));
        assertEquals("Asyncio.createTask needs a running event loop on this thread: "
                + "call it from code started with Asyncio.run(...)", thrown.getMessage());
    }

    @Test
    void currentTask_outsideALoop_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, Asyncio::currentTask);
        assertEquals("Asyncio.currentTask needs a running event loop on this thread: "
                + "call it from code started with Asyncio.run(...)", thrown.getMessage());
    }

    @Test
    void run_nestedInARunningLoop_throws() {
        run(HandWoven.body().then(() -> {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> Asyncio.run(() -> "never"));
            assertTrue(thrown.getMessage().contains("nested Asyncio.run"), thrown.getMessage());
            finish(1);
        }));
    }

    @Test
    void await_outsideALoop_throwsNamingTheMethod() {
        Task<?>[] task = new Task<?>[1];
        run(HandWoven.body().then(() -> task[0] = Asyncio.createTask(HandWoven.body().step(sleep(1)))));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, task[0]::await);
        assertTrue(thrown.getMessage().startsWith("io.jasyncio.Task.await() is @Async and was called outside a task"),
                thrown.getMessage());
        finish(1);
    }

    @Test
    void sleep_negative_throwsIllegalArgument() {
        run(HandWoven.body().then(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(-1));
            finish(1);
        }));
    }

    @Test
    void run_afterItReturnedOrThrew_noLoopIsLeftOnTheThread() {
        run(HandWoven.body().step(yieldOnce()));
        assertNull(EventLoop.current());
        assertThrows(ArithmeticException.class, () -> run(HandWoven.body().step(previous -> {
            throw new ArithmeticException("main failed");
        })));
        assertNull(EventLoop.current());
        assertEquals("again", run(HandWoven.body().step(yieldOnce()).step(previous -> "again")));
        finish(1);
    }
}
