package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * API.md counts lambdas and method references of an {@code @Async} interface as {@code @Async}
 * bodies; a method reference to an {@code @Async} method through a plain interface (here
 * {@code Supplier}) is a suspending call from a method that is not {@code @Async}, so it must be
 * reported like the same call in a plain lambda, whose method then throws the report.
 *
 * <p>Reproducer for the weaver: a method reference has no lambda body for the misuse check to
 * look at (its target is the {@code @Async} method itself), so today it goes unreported, and
 * calling it parks the task behind the back of a caller that is not woven and goes on.
 */
class MethodReferenceMisuseIT extends AsyncTestBase {

    @Test
    void methodReferenceThroughAPlainInterface_reportedAsMisuse() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> run(() -> {
            Task<String> other = Asyncio.createTask(() -> "other's result");
            Supplier<String> plain = other::await; // Supplier.get() is not @Async
            return plain.get();
        }));
        assertTrue(thrown.getMessage().contains("io.jasyncio.Task.await()"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("not @Async"), thrown.getMessage());
        finish(1);
    }
}
