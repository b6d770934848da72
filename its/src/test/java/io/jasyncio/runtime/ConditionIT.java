package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Condition;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Condition} with woven code: await gives the lock up and takes it back, signals, cancellation. */
class ConditionIT extends AsyncTestBase {
    private final Condition condition = new Condition();

    /** Awaits one signal holding the lock; logs how it ended and whether the lock was held then. */
    @Async
    void awaitOnce(List<String> log, String name) {
        condition.acquire();
        try {
            condition.await();
            log.add(name + " signalled, locked " + condition.isLocked());
        } catch (CancellationException cancelled) {
            log.add(name + " cancelled, locked " + condition.isLocked());
            throw cancelled;
        } finally {
            condition.release();
        }
    }

    @Async
    static boolean endsCancelled(Task<?> task) {
        try {
            task.await();
            return false;
        } catch (CancellationException cancelled) {
            return true;
        }
    }

    @Test
    void await_releasesTheLockAndTakesItBackAfterASignal() {
        run(() -> {
            Task<Void> waiter = Asyncio.createTask(() -> {
                condition.acquire();
                try {
                    expect(1);
                    condition.await();
                    expect(4);
                    assertTrue(condition.isLocked());
                } finally {
                    condition.release();
                }
            });
            Asyncio.sleep(Duration.ZERO);
            assertFalse(condition.isLocked(), "given up while the waiter waits");
            expect(2);
            condition.acquire();
            condition.signal();
            Asyncio.sleep(Duration.ZERO); // the waiter wakes and queues for the lock main holds
            expect(3);
            condition.release(); // handed to the waiter
            waiter.await();
            assertFalse(condition.isLocked());
            finish(5);
        });
    }

    @Test
    void signal_wakesWaitersFirstInFirstOutAndOnlyAsManyAsAsked() {
        List<String> log = new ArrayList<>();
        run(() -> {
            List<Task<Void>> waiters = new ArrayList<>();
            for (String name : List.of("a", "b", "c", "d")) {
                waiters.add(Asyncio.createTask(() -> awaitOnce(log, name)));
            }
            Asyncio.sleep(Duration.ZERO);
            assertEquals(4, condition.waiting());
            condition.acquire();
            condition.signal();
            condition.release();
            waiters.get(0).await();
            assertEquals(List.of("a signalled, locked true"), log);
            condition.acquire();
            condition.signal(2);
            assertEquals(1, condition.waiting());
            condition.signalAll();
            condition.release();
            Asyncio.gather(waiters);
            finish(1);
        });
        assertEquals(List.of("a signalled, locked true", "b signalled, locked true", "c signalled, locked true",
                "d signalled, locked true"), log);
    }

    @Test
    void awaitAndSignal_withoutTheLock_throwNamingTheProblem() {
        run(() -> {
            IllegalStateException await = assertThrows(IllegalStateException.class, () -> {
                try {
                    Condition.class.getMethod("await").invoke(condition);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });
            assertTrue(await.getMessage().startsWith("Condition.await: task ")
                    && await.getMessage().endsWith(" does not hold the condition's lock; acquire it first"), await.getMessage());
            IllegalStateException signal = assertThrows(IllegalStateException.class, condition::signal);
            assertEquals("Condition.signal: the calling task does not hold the condition's lock", signal.getMessage());
            finish(1);
        });
    }

    @Test
    void cancel_waiterWaitingForASignal_takesTheLockBackBeforeThrowing() {
        List<String> log = new ArrayList<>();
        run(() -> {
            Task<Void> waiter = Asyncio.createTask(() -> awaitOnce(log, "w"));
            Asyncio.sleep(Duration.ZERO);
            condition.acquire();
            assertTrue(waiter.cancel());
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(log.isEmpty(), "the cancelled waiter waits for the lock main holds");
            condition.release();
            assertTrue(endsCancelled(waiter));
            assertFalse(condition.isLocked(), "its finally released the lock");
            finish(1);
        });
        assertEquals(List.of("w cancelled, locked true"), log);
    }

    @Test
    void cancel_waiterSignalledBeforeItRan_passesTheSignalToTheNextWaiter() {
        List<String> log = new ArrayList<>();
        run(() -> {
            Task<Void> quitter = Asyncio.createTask(() -> awaitOnce(log, "quitter"));
            Task<Void> patient = Asyncio.createTask(() -> awaitOnce(log, "patient"));
            Asyncio.sleep(Duration.ZERO);
            condition.acquire();
            condition.signal(); // wakes the quitter, which has not run
            assertTrue(quitter.cancel());
            assertEquals(0, condition.waiting(), "the signal went on to the patient waiter");
            condition.release();
            patient.await();
            assertTrue(endsCancelled(quitter));
            assertFalse(condition.isLocked());
            finish(1);
        });
        assertEquals(List.of("quitter cancelled, locked true", "patient signalled, locked true"), log);
    }

    @Test
    void cancel_waiterQueuedForTheLockAgain_stillTakesItBeforeThrowing() {
        List<String> log = new ArrayList<>();
        run(() -> {
            Task<Void> waiter = Asyncio.createTask(() -> awaitOnce(log, "w"));
            Asyncio.sleep(Duration.ZERO);
            condition.acquire();
            condition.signal();
            Asyncio.sleep(Duration.ZERO); // the waiter runs and queues for the lock
            assertTrue(waiter.cancel());
            Asyncio.sleep(Duration.ZERO); // it is cancelled, and queues for the lock again
            assertTrue(log.isEmpty());
            condition.release();
            assertTrue(endsCancelled(waiter));
            assertFalse(condition.isLocked());
            finish(1);
        });
        assertEquals(List.of("w cancelled, locked true"), log);
    }

    @Test
    void conditionsSharingALock_signalOnlyTheirOwnWaiters() {
        Lock lock = new Lock();
        Condition notEmpty = new Condition(lock);
        Condition notFull = new Condition(lock);
        List<String> log = new ArrayList<>();
        run(() -> {
            Task<Void> waiter = Asyncio.createTask(() -> {
                lock.acquire();
                try {
                    notEmpty.await();
                    log.add("not empty");
                } finally {
                    lock.release();
                }
            });
            Asyncio.sleep(Duration.ZERO);
            lock.acquire();
            notFull.signalAll();
            lock.release();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(log.isEmpty());
            lock.acquire();
            notEmpty.signal();
            lock.release();
            waiter.await();
            assertEquals(lock, notEmpty.lock());
            finish(1);
        });
        assertEquals(List.of("not empty"), log);
    }

    @Test
    void run_lockHolderEndedWithoutReleasing_waiterGivesUpOnTheSecondCancelSoRunEnds() {
        List<String> log = new ArrayList<>();
        run(() -> {
            Asyncio.createTask(() -> {
                condition.acquire();
                try {
                    condition.await();
                    expectUnreached();
                } catch (CancellationException cancelled) {
                    log.add("gave up, suppressed " + cancelled.getSuppressed().length);
                    throw cancelled;
                }
            });
            Asyncio.sleep(Duration.ZERO);
            condition.acquire();
            condition.signal();
            finish(1); // main ends holding the lock: the waiter can never take it back
        });
        assertEquals(List.of("gave up, suppressed 1"), log);
        assertTrue(condition.isLocked(), "still held by main, which ended");
    }
}
