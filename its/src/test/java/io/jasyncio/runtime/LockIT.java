package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Lock} with woven code: exclusion across suspensions, FIFO hand-off, cancellation. */
class LockIT extends AsyncTestBase {
    private final Lock lock = new Lock();

    @Async
    void critical(List<String> log, String name) {
        lock.acquire();
        try {
            log.add(name + " in");
            Asyncio.sleep(10);
            Asyncio.sleep(Duration.ZERO);
            log.add(name + " out");
        } finally {
            lock.release();
        }
    }

    @Test
    void acquire_heldAcrossSuspensions_excludesOtherTasksInArrivalOrder() {
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                tasks.add(Asyncio.createTask(() -> critical(log, name)));
            }
            for (Task<Void> task : tasks) {
                task.await();
            }
            return null;
        });
        assertEquals(List.of("a in", "a out", "b in", "b out", "c in", "c out"), log);
        assertFalse(lock.isLocked());
        finish(1);
    }

    @Test
    void release_withWaiters_handsTheLockToTheFirstWaiterWithoutBarging() {
        run(() -> {
            expect(1);
            lock.acquire();
            Task<Void> first = Asyncio.createTask(() -> {
                expect(2);
                lock.acquire();
                expect(5);
                lock.release();
            });
            Task<Void> second = Asyncio.createTask(() -> {
                expect(3);
                lock.acquire();
                expect(6);
                lock.release();
            });
            Asyncio.sleep(Duration.ZERO);
            expect(4);
            lock.release();
            assertTrue(lock.isLocked(), "handed to the first waiter, which has not run yet");
            lock.acquire(); // comes back before the first waiter ran: queues behind both
            expect(7);
            lock.release();
            first.await();
            second.await();
            assertFalse(lock.isLocked());
            finish(8);
        });
    }

    @Async
    String acquireOrGiveUp() {
        try {
            lock.acquire();
        } catch (CancellationException cancelled) {
            return "gave up";
        }
        lock.release();
        return "acquired";
    }

    @Test
    void cancel_queuedWaiter_leavesTheQueueAndTakesNothing() {
        run(() -> {
            lock.acquire();
            Task<String> quitter = Asyncio.createTask(this::acquireOrGiveUp);
            Task<String> patient = Asyncio.createTask(this::acquireOrGiveUp);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertTrue(lock.isLocked(), "still main's");
            lock.release();
            assertEquals("acquired", patient.await());
            assertFalse(lock.isLocked());
            finish(1);
        });
    }

    @Test
    void cancel_waiterHandedTheLockBeforeItRan_passesTheLockOn() {
        run(() -> {
            lock.acquire();
            Task<String> quitter = Asyncio.createTask(this::acquireOrGiveUp);
            Task<String> patient = Asyncio.createTask(this::acquireOrGiveUp);
            Asyncio.sleep(Duration.ZERO);
            lock.release(); // handed to the quitter, which is ready but has not run
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("acquired", patient.await());
            assertFalse(lock.isLocked());
            finish(1);
        });
    }

    @Test
    void cancel_onlyWaiterHandedTheLockBeforeItRan_freesTheLock() {
        run(() -> {
            lock.acquire();
            Task<String> quitter = Asyncio.createTask(this::acquireOrGiveUp);
            Asyncio.sleep(Duration.ZERO);
            lock.release();
            assertTrue(quitter.cancel());
            assertFalse(lock.isLocked(), "nobody else waits: the lock is free");
            assertEquals("gave up", quitter.await());
            finish(1);
        });
    }

    @Test
    void acquire_uncontended_doesNotPark() {
        run(() -> {
            Asyncio.createTask(() -> expect(2));
            lock.acquire(); // does not park, so the new task has not run yet
            expect(1);
            lock.release();
            Asyncio.sleep(Duration.ZERO);
            finish(3);
        });
    }

    @Test
    void release_withoutAcquire_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, lock::release);
        assertEquals("Lock.release: the lock is not locked", thrown.getMessage());
        finish(1);
    }

    @Test
    void acquire_outsideATask_throwsNamingTheMethod() {
        // Only code the weaver did not see can call it outside a task: reflection.
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try {
                Lock.class.getMethod("acquire").invoke(lock);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
        assertTrue(thrown.getMessage().startsWith("io.jasyncio.sync.Lock.acquire() is @Async and was called outside a task"),
                thrown.getMessage());
        finish(1);
    }
}
