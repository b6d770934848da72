package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A failure that no task retrieved is reported when the loop closes, and left in {@code leftovers()}. */
class LostFailureTest {

    private static String runCapturingStandardError(HandWoven<?> main, EventLoop[] loop) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EventLoop.run(new ManualClock(1_000_000_000L), newLoop -> {
                loop[0] = newLoop;
                return (TaskCore) Asyncio.createTask(main);
            });
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void run_failureNobodyAwaited_reportedAndLeftOver() {
        EventLoop[] loop = new EventLoop[1];
        String printed = runCapturingStandardError(HandWoven.body()
                .then(() -> Asyncio.createTask("careless", HandWoven.body().step(previous -> {
                    throw new IllegalStateException("nobody looks");
                })))
                .step(previous -> {
                    Asyncio.sleep(Duration.ofMillis(1));
                    return null;
                }), loop);
        assertTrue(printed.startsWith("jasyncio: exception of task careless was never retrieved:"), printed);
        assertTrue(printed.contains("java.lang.IllegalStateException: nobody looks"), printed);
        assertEquals("failures never retrieved: [careless: java.lang.IllegalStateException: nobody looks]; ",
                loop[0].leftovers());
    }

    @Test
    void run_failureRetrievedWithResult_notReported() {
        EventLoop[] loop = new EventLoop[1];
        Task<?>[] failing = new Task<?>[1];
        String printed = runCapturingStandardError(HandWoven.body()
                .then(() -> failing[0] = Asyncio.createTask(HandWoven.body().step(previous -> {
                    throw new IllegalStateException("seen");
                })))
                .step(previous -> {
                    Asyncio.sleep(Duration.ofMillis(1));
                    return null;
                })
                .then(() -> {
                    try {
                        failing[0].result();
                    } catch (IllegalStateException expected) {
                        // retrieved
                    }
                }), loop);
        assertEquals("", printed);
        assertEquals("", loop[0].leftovers());
    }
}
