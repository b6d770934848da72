package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Semaphore} with woven code: bounded concurrency, FIFO hand-off, no permit lost. */
class SemaphoreIT extends AsyncTestBase {
    private int inside;
    private int mostInside;

    @Async
    void bounded(Semaphore semaphore, List<String> log, String name) {
        semaphore.acquire();
        try {
            inside++;
            mostInside = Math.max(mostInside, inside);
            log.add(name);
            Asyncio.sleep(100);
        } finally {
            inside--;
            semaphore.release();
        }
    }

    @Test
    void acquire_boundsConcurrencyAndServesWaitersInArrivalOrder() {
        Semaphore semaphore = new Semaphore(2);
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (String name : List.of("a", "b", "c", "d", "e")) {
                tasks.add(Asyncio.createTask(() -> bounded(semaphore, log, name)));
            }
            Asyncio.gather(tasks);
            return null;
        });
        assertEquals(List.of("a", "b", "c", "d", "e"), log);
        assertEquals(2, mostInside);
        assertEquals(300, clock.elapsedMillis(), "three rounds of 100 ms: 2 + 2 + 1");
        assertEquals(2, semaphore.availablePermits(), "every permit came back");
        finish(1);
    }

    @Async
    String acquireOrGiveUp(Semaphore semaphore) {
        try {
            semaphore.acquire();
        } catch (CancellationException cancelled) {
            return "gave up";
        }
        semaphore.release();
        return "acquired";
    }

    @Test
    void release_withWaiters_handsThePermitWithoutBarging() {
        Semaphore semaphore = new Semaphore(1);
        run(() -> {
            semaphore.acquire();
            Task<Void> waiter = Asyncio.createTask(() -> {
                expect(1);
                semaphore.acquire();
                expect(3);
                semaphore.release();
            });
            Asyncio.sleep(Duration.ZERO);
            semaphore.release();
            assertEquals(0, semaphore.availablePermits(), "handed to the waiter, which has not run yet");
            assertFalse(semaphore.tryAcquire(), "no barging past the waiter");
            expect(2);
            waiter.await();
            assertEquals(1, semaphore.availablePermits());
            finish(4);
        });
    }

    @Test
    void cancel_queuedWaiter_leavesTheQueueAndTakesNothing() {
        Semaphore semaphore = new Semaphore(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> acquireOrGiveUp(semaphore));
            Task<String> patient = Asyncio.createTask(() -> acquireOrGiveUp(semaphore));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            semaphore.release();
            assertEquals("acquired", patient.await());
            assertEquals(1, semaphore.availablePermits());
            finish(1);
        });
    }

    @Test
    void cancel_waiterHandedAPermitBeforeItRan_passesItToTheNextWaiter() {
        Semaphore semaphore = new Semaphore(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> acquireOrGiveUp(semaphore));
            Task<String> patient = Asyncio.createTask(() -> acquireOrGiveUp(semaphore));
            Asyncio.sleep(Duration.ZERO);
            semaphore.release(); // handed to the quitter, which is ready but has not run
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("acquired", patient.await());
            assertEquals(1, semaphore.availablePermits(), "the one permit was neither lost nor doubled");
            finish(1);
        });
    }

    @Test
    void cancel_onlyWaiterHandedAPermitBeforeItRan_returnsItToTheCount() {
        Semaphore semaphore = new Semaphore(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> acquireOrGiveUp(semaphore));
            Asyncio.sleep(Duration.ZERO);
            semaphore.release();
            assertTrue(quitter.cancel());
            assertEquals(1, semaphore.availablePermits());
            assertEquals("gave up", quitter.await());
            finish(1);
        });
    }

    @Test
    void constructor_negativePermits_throwsNamingTheValue() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertEquals("Semaphore: permits must not be negative, but is -1", thrown.getMessage());
        finish(1);
    }
}
