package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.gather} and {@code Asyncio.waitFor} on hand-woven tasks, in virtual time. */
class GatherAndWaitForTest extends LoopTestBase {
    private final List<String> log = new ArrayList<>();

    /** Sleeps {@code millis}, then returns {@code result}; logs when it is cancelled. */
    private HandWoven<Object> sleeper(long millis, Object result) {
        return HandWoven.body()
                .step(sleep(millis))
                .step(previous -> result)
                .catching(failure -> {
                    log.add(result + " " + failure.getClass().getSimpleName() + " at " + clock.elapsed() / 1_000_000);
                    throw (RuntimeException) failure;
                });
    }

    @Test
    void gather_resultsInTheOrderGiven() {
        Object results = run(HandWoven.body()
                .step(previous -> Asyncio.gather(
                        Asyncio.createTask(sleeper(30, "a")),
                        Asyncio.createTask(sleeper(10, "b")),
                        Asyncio.createTask(sleeper(20, "c"))))
                .then(() -> finish(1)));
        assertEquals(List.of("a", "b", "c"), results);
        assertEquals(30_000_000L, clock.elapsed());
    }

    @Test
    void gather_failure_cancelsTheOthersAndThrowsOnceTheyEnded() {
        Task<?>[] others = new Task<?>[2];
        run(HandWoven.body()
                .step(previous -> {
                    others[0] = Asyncio.createTask(sleeper(1_000, "slow"));
                    Task<Object> failing = Asyncio.createTask(HandWoven.body()
                            .step(sleep(10))
                            .then(() -> {
                                throw new IllegalStateException("boom");
                            }));
                    others[1] = Asyncio.createTask(sleeper(2_000, "slower"));
                    return Asyncio.gather(others[0], failing, others[1]);
                })
                .then(() -> expectUnreached())
                .catching(failure -> {
                    assertEquals("boom", failure.getMessage());
                    assertTrue(others[0].isCancelled() && others[1].isCancelled(), "ended before gather threw");
                    finish(1);
                    return null;
                }));
        assertEquals(List.of("slow CancellationException at 10", "slower CancellationException at 10"), log);
    }

    @Test
    void gather_cancelledGatherer_cancelsTheChildren() {
        Task<?>[] gatherer = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> gatherer[0] = Asyncio.createTask(HandWoven.body()
                        .step(previous -> Asyncio.gather(
                                Asyncio.createTask(sleeper(1_000, "a")),
                                Asyncio.createTask(sleeper(1_000, "b"))))))
                .step(sleep(5))
                .then(() -> assertTrue(gatherer[0].cancel()))
                .step(await(gatherer))
                .then(() -> expectUnreached())
                .catching(failure -> {
                    assertInstanceOf(CancellationException.class, failure);
                    finish(1);
                    return null;
                }));
        assertEquals(List.of("a CancellationException at 5", "b CancellationException at 5"), log);
    }

    @Test
    void waitFor_timeout_cancelsTheBodyAndThrowsTimeoutException() {
        run(HandWoven.body()
                .step(previous -> Asyncio.waitFor(Duration.ofMillis(100), sleeper(1_000, "body")))
                .then(() -> expectUnreached())
                .catching(failure -> {
                    assertInstanceOf(TimeoutException.class, failure);
                    assertEquals("Asyncio.waitFor: the body did not finish within PT0.1S; it was cancelled",
                            failure.getMessage());
                    finish(1);
                    return null;
                }));
        assertEquals(List.of("body CancellationException at 100"), log);
        assertEquals(100_000_000L, clock.elapsed());
    }

    @Test
    void waitFor_bodyInTime_returnsItsResult() {
        Object result = run(HandWoven.body()
                .step(previous -> Asyncio.waitFor(Duration.ofMillis(100), sleeper(40, "body")))
                .then(() -> finish(1)));
        assertEquals("body", result);
        assertEquals(40_000_000L, clock.elapsed());
    }
}
