package io.jasyncio.misuse;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Misuse the agent reports at load time while still loading the class: the faulty lambda or
 * method reference throws the report when it is called. Agent-only, since the Maven plugin
 * fails the build on these, so the behaviour tests that run under both front ends (module
 * {@code its}) cannot hold them. Not in {@code io.jasyncio.agent}: the agent never weaves its own
 * package.
 */
class MisuseUnderAgentIT {

    @Async
    public static String greet(String name) {
        Asyncio.sleep(Duration.ZERO);
        return "hello " + name;
    }

    @Async
    int neverSuspends() {
        return 7;
    }

    @Test
    void asyncMethod_calledFromAPlainLambda_throwsTheWeaversDiagnostic() {
        // The lambda is a JUnit Executable, whose execute() is not @Async.
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> greet("plain"));
        assertTrue(thrown.getMessage().contains("suspending call to io.jasyncio.misuse.MisuseUnderAgentIT.greet()"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("Asyncio.run"), thrown.getMessage());
    }

    @Test
    void methodReferenceThroughJUnitsExecutable_throwsTheReportWhenCalled() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, this::neverSuspends);
        assertTrue(thrown.getMessage().contains(
                "method reference to @Async method io.jasyncio.misuse.MisuseUnderAgentIT.neverSuspends()"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("Asyncio.run"), thrown.getMessage());
    }

    /**
     * API.md counts lambdas and method references of an {@code @Async} interface as
     * {@code @Async} bodies; a method reference to an {@code @Async} method through a plain
     * interface (here {@code Supplier}) inside a task is reported like the same call in a plain
     * lambda, and throws the report instead of parking behind the back of an unwoven caller.
     */
    @Test
    void methodReferenceThroughAPlainInterface_insideATask_throwsTheReport() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> {
            Task<String> other = Asyncio.createTask(() -> "other's result");
            Supplier<String> plain = other::await; // Supplier.get() is not @Async
            return plain.get();
        }));
        assertTrue(thrown.getMessage().contains("io.jasyncio.Task.await()"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("not @Async"), thrown.getMessage());
    }
}
