package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Lock} on hand-woven tasks: exclusion, FIFO hand-off, cancellation takes nothing. */
class LockTest extends LoopTestBase {
    private final Lock lock = new Lock();

    private HandWoven.Step acquire() {
        return previous -> {
            lock.acquire();
            return null;
        };
    }

    @Test
    void acquire_uncontended_doesNotPark() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    lock.acquire();
                    assertFalse(loop.parking, "acquire of a free lock parked");
                    assertTrue(lock.isLocked());
                    lock.release();
                    assertFalse(lock.isLocked());
                    finish(2);
                }));
    }

    @Test
    void acquire_heldAcrossSuspensions_excludesOtherTasks() {
        List<String> log = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    for (String name : List.of("a", "b", "c")) {
                        Asyncio.createTask(HandWoven.body()
                                .step(acquire())
                                .then(() -> log.add(name + " in"))
                                .step(sleep(10))
                                .step(yieldOnce())
                                .then(() -> log.add(name + " out"))
                                .finallyDo(lock::release));
                    }
                })
                .step(sleep(100))
                .then(() -> finish(1)));
        assertEquals(List.of("a in", "a out", "b in", "b out", "c in", "c out"), log);
        assertFalse(lock.isLocked());
    }

    @Test
    void release_withWaiters_handsTheLockToTheFirstWaiterWithoutBarging() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    lock.acquire();
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(2))
                            .step(acquire())
                            .then(() -> {
                                expect(5);
                                lock.release();
                            }));
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(3))
                            .step(acquire())
                            .then(() -> {
                                expect(6);
                                lock.release();
                            }));
                })
                .step(yieldOnce())
                .then(() -> {
                    expect(4);
                    lock.release();
                    assertTrue(lock.isLocked(), "handed to the first waiter, which has not run yet");
                })
                // main comes back for the lock before the first waiter ran: it queues last
                .step(acquire())
                .then(() -> {
                    expect(7);
                    lock.release();
                })
                .then(() -> expect(8))
                .finallyDo(() -> assertFalse(lock.isLocked())));
        finish(9);
    }

    @Test
    void cancel_queuedWaiter_leavesTheQueueAndTakesNothing() {
        Task<?>[] waiters = new Task<?>[2];
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    waiters[0] = Asyncio.createTask(HandWoven.body()
                            .step(acquire())
                            .then(() -> expectUnreached())
                            .catching(failure -> {
                                assertInstanceOf(CancellationException.class, failure);
                                expect(2);
                                return "gave up";
                            }));
                    waiters[1] = Asyncio.createTask(HandWoven.body()
                            .step(acquire())
                            .then(() -> {
                                expect(3);
                                lock.release();
                            }));
                })
                .step(yieldOnce())
                .then(() -> {
                    expect(1);
                    assertTrue(waiters[0].cancel());
                })
                .step(yieldOnce()) // the cancelled waiter runs its catch
                .then(() -> lock.release())
                .step(previous -> waiters[1].await())
                .then(() -> finish(4)));
        assertEquals("gave up", waiters[0].result());
        assertFalse(lock.isLocked());
    }

    @Test
    void cancel_waiterHandedTheLockBeforeItRan_passesTheLockToTheNextWaiter() {
        Task<?>[] waiters = new Task<?>[2];
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    waiters[0] = Asyncio.createTask(HandWoven.body()
                            .step(acquire())
                            .then(() -> expectUnreached())
                            .catching(failure -> {
                                assertInstanceOf(CancellationException.class, failure);
                                expect(2);
                                return "gave up";
                            }));
                    waiters[1] = Asyncio.createTask(HandWoven.body()
                            .step(acquire())
                            .then(() -> {
                                expect(3);
                                lock.release();
                            }));
                })
                .step(yieldOnce())
                .then(() -> {
                    expect(1);
                    lock.release(); // handed to waiters[0], which is now ready
                    assertTrue(waiters[0].cancel());
                    assertTrue(lock.isLocked(), "passed on to waiters[1]");
                })
                .step(previous -> waiters[1].await())
                .then(() -> finish(4)));
        assertEquals("gave up", waiters[0].result());
        assertFalse(lock.isLocked());
    }

    @Test
    void cancel_onlyWaiterHandedTheLockBeforeItRan_freesTheLock() {
        Task<?>[] waiter = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    waiter[0] = Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(1))
                            .step(acquire())
                            .then(() -> expectUnreached()));
                })
                .step(yieldOnce())
                .then(() -> {
                    expect(2);
                    lock.release();
                    assertTrue(waiter[0].cancel());
                    assertFalse(lock.isLocked(), "nobody else waits: the lock is free");
                    lock.acquire();
                    assertFalse(loop.parking);
                    lock.release();
                })
                .step(await(waiter))
                .catching(failure -> {
                    assertInstanceOf(CancellationException.class, failure);
                    finish(3);
                    return null;
                }));
    }

    @Test
    void run_leftoverTasksQueuedOnALock_areCancelled() {
        List<String> log = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    for (String name : List.of("a", "b")) {
                        Asyncio.createTask(HandWoven.body()
                                .step(acquire())
                                .then(() -> expectUnreached())
                                .finallyDo(() -> log.add(name + " finally")));
                    }
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a finally", "b finally"), log);
        assertTrue(lock.isLocked(), "main never released it");
    }

    @Test
    void release_lockNotLocked_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, lock::release);
        assertEquals("Lock.release: the lock is not locked", thrown.getMessage());
    }

    @Test
    void acquire_outsideATask_throws() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, lock::acquire);
        assertEquals("io.jasyncio.sync.Lock.acquire() is @Async and was called outside a task: "
                + "start it with Asyncio.run(...) or Asyncio.createTask(...)", thrown.getMessage());
    }

    @Test
    void acquire_byTheTaskThatHoldsIt_throws() {
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    IllegalStateException thrown = assertThrows(IllegalStateException.class, lock::acquire);
                    assertTrue(thrown.getMessage().contains("already holds this lock"), thrown.getMessage());
                    lock.release();
                    finish(1);
                }));
    }
}
