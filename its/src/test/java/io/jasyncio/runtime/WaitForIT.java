package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.waitFor} with woven code, in virtual time: success, timeout, same-step result, cancel. */
class WaitForIT extends AsyncTestBase {
    private final List<String> log = new ArrayList<>();

    /** Sleeps {@code millis}; when cancelled, cleans up for 5 ms, logs it and ends cancelled. */
    @Async
    String sleepThenCleanUp(long millis) {
        try {
            Asyncio.sleep(millis);
            return "slept " + millis;
        } catch (CancellationException cancelled) {
            Asyncio.sleep(5);
            log.add("cleaned up at " + clock.elapsedMillis());
            throw cancelled;
        }
    }

    @Test
    void waitFor_bodyEndsInTime_returnsItsResultAtOnce() {
        String result = runInVirtualTime(() -> Asyncio.waitFor(Duration.ofMillis(100), () -> sleepThenCleanUp(50)));
        assertEquals("slept 50", result);
        assertEquals(50, clock.elapsedMillis(), "did not wait for the timeout");
        finish(1);
    }

    @Test
    void waitFor_bodyTooSlow_isCancelledAndEndedBeforeTimeoutExceptionIsThrown() {
        runInVirtualTime(() -> {
            try {
                Asyncio.waitFor(Duration.ofMillis(100), () -> sleepThenCleanUp(3_600_000));
                expectUnreached();
            } catch (TimeoutException timeout) {
                assertEquals("Asyncio.waitFor: the body did not finish within PT0.1S; it was cancelled", timeout.getMessage());
                assertNull(timeout.getCause());
                assertEquals(List.of("cleaned up at 105"), log);
            }
            return null;
        });
        assertEquals(105, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void waitFor_resultInTheSameStepAsTheTimeout_wins() {
        String result = runInVirtualTime(() -> Asyncio.waitFor(Duration.ofMillis(100), () -> sleepThenCleanUp(100)));
        assertEquals("slept 100", result);
        assertEquals(100, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void waitFor_resultOneStepAfterTheTimeout_losesToIt() {
        runInVirtualTime(() -> {
            try {
                Asyncio.waitFor(Duration.ofMillis(100), () -> {
                    Asyncio.sleep(100);
                    Asyncio.sleep(Duration.ZERO);
                    return "late";
                });
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void waitFor_zeroTimeout_onlyABodyThatNeverParksFinishes() {
        runInVirtualTime(() -> {
            assertEquals("now", Asyncio.waitFor(Duration.ZERO, () -> "now"));
            try {
                Asyncio.waitFor(Duration.ZERO, () -> sleepThenCleanUp(1));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void cancel_caller_cancelsTheBodyAndEndsAfterIt() {
        runInVirtualTime(() -> {
            Task<String> caller = Asyncio.createTask(
                    () -> Asyncio.waitFor(Duration.ofHours(2), () -> sleepThenCleanUp(3_600_000)));
            Asyncio.sleep(10);
            assertTrue(caller.cancel());
            try {
                caller.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals(List.of("cleaned up at 15"), log);
            }
            assertTrue(caller.isCancelled());
            return null;
        });
        finish(1);
    }

    @Test
    void waitFor_bodyFails_throwsItsFailureAsAwaitDoes() {
        runInVirtualTime(() -> {
            try {
                Asyncio.waitFor(Duration.ofSeconds(1), () -> {
                    Asyncio.sleep(10);
                    throw new IllegalStateException("broken body");
                });
                expectUnreached();
            } catch (IllegalStateException expected) {
                assertEquals("broken body", expected.getMessage());
            }
            try {
                Asyncio.waitFor(Duration.ofSeconds(1), () -> {
                    throw new IOException("checked");
                });
                expectUnreached();
            } catch (CompletionException expected) {
                assertInstanceOf(IOException.class, expected.getCause());
            }
            return null;
        });
        finish(1);
    }

    @Test
    void waitFor_bodyFailsWhileCancelled_failureIsTheCauseOfTheTimeout() {
        runInVirtualTime(() -> {
            try {
                Asyncio.waitFor(Duration.ofMillis(10), () -> {
                    try {
                        Asyncio.sleep(1_000);
                    } catch (CancellationException cancelled) {
                        throw new IllegalStateException("cleanup failed");
                    }
                    return null;
                });
                expectUnreached();
            } catch (TimeoutException timeout) {
                assertEquals("Asyncio.waitFor: the body did not finish within PT0.01S; it was cancelled and failed, "
                        + "see the cause", timeout.getMessage());
                assertEquals("cleanup failed", timeout.getCause().getMessage());
            }
            return null;
        });
        finish(1);
    }

    @Test
    void waitFor_negativeTimeout_throws() {
        run(() -> {
            try {
                Asyncio.waitFor(Duration.ofMillis(-1), () -> "x");
                expectUnreached();
            } catch (IllegalArgumentException thrown) {
                assertEquals("Asyncio.waitFor: timeout is negative: PT-0.001S", thrown.getMessage());
            }
            finish(1);
        });
    }
}
