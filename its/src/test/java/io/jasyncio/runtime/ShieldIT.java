package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code Asyncio.shield} with woven code, in virtual time: a cancel or an enclosing timeout
 * waits until the shielded body has finished and is delivered at the next suspension point;
 * timeouts inside a shield still work; {@code run} does not hang on a shield.
 */
class ShieldIT extends AsyncTestBase {
    private final List<String> log = new ArrayList<>();

    /** Work that must finish: takes 50 ms, logs, returns an id. */
    @Async
    String commit() {
        Asyncio.sleep(50);
        log.add("committed at " + clock.elapsedMillis());
        return "id-7";
    }

    @Test
    void cancel_whileShielded_bodyFinishesAndTheCancelComesAtTheNextSuspensionPoint() {
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> {
                String id = Asyncio.shield(this::commit);
                log.add("kept " + id);
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                    expectUnreached();
                } finally {
                    log.add("cancelled at " + clock.elapsedMillis());
                }
            });
            Asyncio.sleep(10);
            assertTrue(worker.cancel());
            try {
                worker.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(worker.isCancelled());
            return null;
        });
        assertEquals(List.of("committed at 50", "kept id-7", "cancelled at 50"), log);
        finish(2);
    }

    @Test
    void cancel_whileShielded_taskThatEndsWithoutParkingAgain_endsNormally() {
        String result = runInVirtualTime(() -> {
            Task<String> worker = Asyncio.createTask(() -> Asyncio.shield(this::commit));
            Asyncio.sleep(10);
            assertTrue(worker.cancel());
            String id = worker.await();
            assertFalse(worker.isCancelled());
            return id;
        });
        assertEquals("id-7", result);
        finish(1);
    }

    @Test
    void cancel_twiceWhileShielded_deliveredOnce() {
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> {
                Asyncio.shield(() -> {
                    Asyncio.sleep(20);
                    Asyncio.sleep(20); // the second cancel arrives while it parks here
                    log.add("shielded work done");
                });
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancellationException first) {
                    log.add("cancelled");
                }
                Asyncio.sleep(10); // not cancelled again
                log.add("went on");
            });
            Asyncio.sleep(10);
            worker.cancel();
            Asyncio.sleep(20);
            worker.cancel();
            worker.await();
            return null;
        });
        assertEquals(List.of("shielded work done", "cancelled", "went on"), log);
        assertEquals(50, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void nestedShields_theCancelWaitsForTheOutermost() {
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> Asyncio.shield(() -> {
                Asyncio.shield(() -> Asyncio.sleep(20));
                Asyncio.sleep(20); // still shielded by the outer one
                log.add("outer shield done at " + clock.elapsedMillis());
            }));
            Asyncio.sleep(10);
            worker.cancel();
            worker.await();
            return null;
        });
        assertEquals(List.of("outer shield done at 40"), log);
        finish(1);
    }

    @Test
    void timeout_expiringWhileShielded_isDeliveredAfterTheShield() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> {
                    log.add("kept " + Asyncio.shield(this::commit));
                    Asyncio.sleep(Duration.ofHours(1));
                    expectUnreached();
                });
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        assertEquals(List.of("committed at 50", "kept id-7"), log);
        assertEquals(50, clock.elapsedMillis());
        finish(2);
    }

    @Test
    void timeout_insideAShield_stillCancelsItsBody() {
        runInVirtualTime(() -> {
            Task<String> worker = Asyncio.createTask(() -> Asyncio.shield(() -> {
                try {
                    Asyncio.timeout(Duration.ofMillis(30), () -> Asyncio.sleep(Duration.ofHours(1)));
                    expectUnreached();
                } catch (TimeoutException expected) {
                    log.add("inner timeout at " + clock.elapsedMillis());
                }
                return "shielded result";
            }));
            Asyncio.sleep(10);
            worker.cancel(); // held off: the shield's body ends normally
            assertEquals("shielded result", worker.await());
            return null;
        });
        assertEquals(List.of("inner timeout at 30"), log);
        finish(1);
    }

    @Test
    void shield_failure_propagatesAsItIs() {
        run(() -> {
            try {
                Asyncio.shield(() -> {
                    Asyncio.sleep(Duration.ZERO);
                    throw new IllegalStateException("shielded failure");
                });
                expectUnreached();
            } catch (IllegalStateException expected) {
                assertEquals("shielded failure", expected.getMessage());
            }
            finish(1);
        });
    }

    @Test
    void run_mainEnds_aShieldedLeftoverFinishesItsWorkFirst() {
        runInVirtualTime(() -> {
            Asyncio.createTask(() -> {
                log.add("kept " + Asyncio.shield(this::commit));
                Asyncio.sleep(Duration.ofHours(1));
                expectUnreached();
            });
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        assertEquals(List.of("committed at 50", "kept id-7"), log);
        finish(1);
    }

    @Test
    void run_mainEnds_aShieldedLeftoverThatCanNeverFinish_isCancelledAnyway() {
        runInVirtualTime(() -> {
            Event never = new Event();
            Asyncio.createTask(() -> Asyncio.shield(() -> {
                try {
                    never.await();
                } finally {
                    log.add("shield gave way");
                }
            }));
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        assertEquals(List.of("shield gave way"), log);
        finish(1);
    }
}
