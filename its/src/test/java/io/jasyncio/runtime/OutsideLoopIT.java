package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.internal.EventLoop;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The {@code IllegalStateException}s a user sees when no task of a running loop is the caller.
 * The calls that the weaver reports as misuse (from a plain lambda or method reference) are
 * tested under the agent only, in {@code io.jasyncio.misuse.MisuseUnderAgentIT}: the plugin
 * fails the build on them.
 */
class OutsideLoopIT extends AsyncTestBase {
    private static final String START_IT = " is @Async and was called outside a task: "
            + "start it with Asyncio.run(...) or Asyncio.createTask(...)";

    @Async
    public static String greet(String name) {
        Asyncio.sleep(Duration.ZERO);
        return "hello " + name;
    }

    @Async
    int neverSuspends() {
        return 7;
    }

    /** Calls a static method the way a framework would: unseen by the weaver. */
    private static Object invoke(Class<?> owner, String name, Class<?>[] parameterTypes, Object... arguments)
            throws Throwable {
        try {
            return owner.getMethod(name, parameterTypes).invoke(null, arguments);
        } catch (InvocationTargetException thrown) {
            throw thrown.getCause();
        }
    }

    @Test
    void userAsyncMethod_calledByReflectionOutsideALoop_throwsNamingTheMethod() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> invoke(OutsideLoopIT.class, "greet", new Class<?>[] {String.class}, "plain"));
        assertEquals("io.jasyncio.runtime.OutsideLoopIT.greet()" + START_IT, thrown.getMessage());
        finish(1);
    }

    @Test
    void userAsyncMethodWithoutSuspensions_calledByReflectionOutsideALoop_throwsNamingTheMethod() {
        // The entry check is woven into @Async methods that never suspend too.
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try {
                OutsideLoopIT.class.getDeclaredMethod("neverSuspends").invoke(this);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        assertEquals("io.jasyncio.runtime.OutsideLoopIT.neverSuspends()" + START_IT, thrown.getMessage());
        finish(1);
    }

    @Test
    void sleep_calledByReflectionOutsideALoop_throwsNamingTheMethod() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> invoke(Asyncio.class, "sleep", new Class<?>[] {Duration.class}, Duration.ZERO));
        assertEquals("io.jasyncio.Asyncio.sleep()" + START_IT, thrown.getMessage());
        finish(1);
    }

    @Test
    void createTask_outsideALoop_throwsSayingToUseAsyncioRun() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Asyncio.createTask(() -> greet("nobody")));
        assertEquals("Asyncio.createTask needs a running event loop on this thread: "
                + "call it from code started with Asyncio.run(...)", thrown.getMessage());
        finish(1);
    }

    @Test
    void currentTask_outsideALoop_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, Asyncio::currentTask);
        assertTrue(thrown.getMessage().startsWith("Asyncio.currentTask needs a running event loop"),
                thrown.getMessage());
        finish(1);
    }

    @Test
    void run_nestedInsideARunningLoop_throwsNamingAsyncioRun() {
        String outcome = run(() -> {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> Asyncio.run(() -> greet("inner")));
            assertTrue(thrown.getMessage().contains("nested Asyncio.run"), thrown.getMessage());
            return greet("outer");
        });
        assertEquals("hello outer", outcome);
        finish(1);
    }

    @Test
    void run_afterItEnded_theThreadHasNoLoopAndCanRunAgain() {
        assertEquals("hello one", run(() -> greet("one")));
        assertTrue(EventLoop.current() == null);
        assertThrows(IllegalStateException.class,
                () -> invoke(OutsideLoopIT.class, "greet", new Class<?>[] {String.class}, "between"));
        assertEquals("hello two", run(() -> greet("two")));
        finish(1);
    }
}
