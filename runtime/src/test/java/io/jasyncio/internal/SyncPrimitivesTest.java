package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Barrier;
import io.jasyncio.sync.Condition;
import io.jasyncio.sync.Event;
import io.jasyncio.sync.Queue;
import io.jasyncio.sync.QueueShutDownException;
import io.jasyncio.sync.Semaphore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The primitives of {@code io.jasyncio.sync} on hand-woven tasks, through the woven-code ABI
 * without the weaver: first-in first-out order, and the two cancellation cases of each (cancelled
 * while waiting; cancelled after it was woken, before it ran) losing nothing.
 */
class SyncPrimitivesTest extends LoopTestBase {
    private final List<String> log = new ArrayList<>();

    /** A task that runs one suspending {@code call} and logs its value, or the exception it threw. */
    private Task<?> waiter(String name, HandWoven.Step call) {
        return Asyncio.createTask(name, HandWoven.body()
                .step(call)
                .step(value -> {
                    log.add(name + (value == null ? " woke" : " got " + value));
                    return value;
                })
                .catching(failure -> {
                    log.add(name + " " + failure.getClass().getSimpleName());
                    return null;
                }));
    }

    @Test
    void semaphore_permitHandedToACancelledWaiter_goesToTheNextOne() {
        Semaphore semaphore = new Semaphore(0);
        HandWoven.Step acquire = previous -> {
            semaphore.acquire();
            return "permit";
        };
        Task<?>[] waiters = new Task<?>[3];
        run(HandWoven.body()
                .then(() -> {
                    waiters[0] = waiter("a", acquire);
                    waiters[1] = waiter("b", acquire);
                    waiters[2] = waiter("c", acquire);
                })
                .step(yieldOnce())
                .then(() -> {
                    semaphore.release(); // handed to a, which has not run
                    assertTrue(waiters[0].cancel());
                    assertEquals(0, semaphore.availablePermits(), "passed on to b, not back to the count");
                    semaphore.release(); // to c
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a CancellationException", "b woke", "c woke"), log);
        assertEquals(0, semaphore.availablePermits());
    }

    @Test
    void event_setThenCancelledBeforeRunning_takesNothingAndOthersAreWoken() {
        Event event = new Event();
        HandWoven.Step await = previous -> {
            event.await();
            return "set";
        };
        Task<?>[] waiters = new Task<?>[3];
        run(HandWoven.body()
                .then(() -> {
                    waiters[0] = waiter("a", await);
                    waiters[1] = waiter("b", await);
                    waiters[2] = waiter("c", await);
                })
                .step(yieldOnce())
                .then(() -> {
                    assertTrue(waiters[1].cancel()); // while waiting
                    event.set();
                    assertTrue(waiters[2].cancel()); // woken, not run yet
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("b CancellationException", "a woke", "c CancellationException"), log);
    }

    @Test
    void queue_itemsHandedToGettersCancelledBeforeTheyRan_goBackInTheirOrder() {
        Queue<String> queue = new Queue<>(0);
        HandWoven.Step get = previous -> queue.get();
        Task<?>[] getters = new Task<?>[2];
        run(HandWoven.body()
                .then(() -> {
                    getters[0] = waiter("a", get);
                    getters[1] = waiter("b", get);
                })
                .step(yieldOnce())
                .then(() -> {
                    queue.put("x"); // handed to a
                    queue.put("y"); // handed to b
                    assertTrue(getters[1].cancel()); // no getter waits: the newest in flight, y, goes back
                    assertTrue(getters[0].cancel()); // then x, ahead of it
                    assertEquals(2, queue.size());
                    assertEquals("x", queue.poll());
                    assertEquals("y", queue.poll());
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a CancellationException", "b CancellationException"), log);
    }

    @Test
    void queue_getterHandedAnItemCancelledBeforeItRan_passesItsClaimToTheNextGetter() {
        Queue<String> queue = new Queue<>(0);
        HandWoven.Step get = previous -> queue.get();
        Task<?>[] getters = new Task<?>[3];
        run(HandWoven.body()
                .then(() -> {
                    getters[0] = waiter("a", get);
                    getters[1] = waiter("b", get);
                    getters[2] = waiter("c", get);
                })
                .step(yieldOnce())
                .then(() -> {
                    queue.put("x"); // to a
                    queue.put("y"); // to b
                    assertTrue(getters[0].cancel()); // a's claim goes to c
                    assertTrue(queue.isEmpty());
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a CancellationException", "b got x", "c got y"), log);
    }

    @Test
    void queue_slotReservedForACancelledPutter_goesToTheNextPutter() {
        Queue<String> queue = new Queue<>(1);
        Task<?>[] putters = new Task<?>[2];
        run(HandWoven.body()
                .then(() -> {
                    queue.put("first");
                    putters[0] = waiter("a", previous -> {
                        queue.put("from a");
                        return "in";
                    });
                    putters[1] = waiter("b", previous -> {
                        queue.put("from b");
                        return "in";
                    });
                })
                .step(yieldOnce())
                .then(() -> {
                    assertEquals("first", queue.poll()); // the slot is reserved for a
                    assertTrue(putters[0].cancel()); // and passes to b
                    assertFalse(queue.offer("barging"), "the slot is b's");
                })
                .step(yieldOnce())
                .then(() -> {
                    assertEquals("from b", queue.poll());
                    assertEquals(null, queue.poll());
                    queue.shutdown();
                    finish(1);
                }));
        assertEquals(List.of("a CancellationException", "b woke"), log);
    }

    @Test
    void queue_shutdownWakesParkedGetters() {
        Queue<String> queue = new Queue<>(0);
        run(HandWoven.body()
                .then(() -> waiter("a", previous -> queue.get()))
                .step(yieldOnce())
                .then(() -> queue.shutdown(true))
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a " + QueueShutDownException.class.getSimpleName()), log);
    }

    /** Acquires the condition's lock, awaits one signal, logs how it ended, releases. */
    private HandWoven<Object> conditionWaiter(Condition condition, String name) {
        return HandWoven.body()
                .step(previous -> {
                    condition.acquire();
                    return null;
                })
                .step(previous -> {
                    condition.await();
                    return null;
                })
                .then(() -> log.add(name + " signalled, locked " + condition.isLocked()))
                .catching(failure -> {
                    log.add(name + " " + failure.getClass().getSimpleName() + ", locked " + condition.isLocked());
                    return null;
                })
                .finallyDo(condition::release);
    }

    @Test
    void condition_signalledWaiterCancelledBeforeItRan_passesTheSignalOnAndHoldsTheLockWhenItThrows() {
        Condition condition = new Condition();
        Task<?>[] waiters = new Task<?>[2];
        run(HandWoven.body()
                .then(() -> {
                    waiters[0] = Asyncio.createTask(conditionWaiter(condition, "a"));
                    waiters[1] = Asyncio.createTask(conditionWaiter(condition, "b"));
                })
                .step(yieldOnce())
                .step(previous -> {
                    condition.acquire();
                    return null;
                })
                .then(() -> {
                    assertEquals(2, condition.waiting());
                    condition.signal(); // wakes a
                    assertTrue(waiters[0].cancel()); // a passes the signal on to b
                    assertEquals(0, condition.waiting());
                })
                .step(yieldOnce()) // a runs and queues for the lock main holds
                .then(() -> {
                    assertTrue(log.isEmpty(), "a throws only once it holds the lock again");
                    condition.release();
                })
                .step(previous -> waiters[1].await())
                .then(() -> {
                    assertFalse(condition.isLocked());
                    finish(1);
                }));
        assertEquals(List.of("a CancellationException, locked true", "b signalled, locked true"), log);
    }

    @Test
    void barrier_cancelledWhileWaitingOrAfterItTripped_indicesStayContiguous() {
        Barrier barrier = new Barrier(3);
        HandWoven.Step arrive = previous -> barrier.await();
        Task<?>[] waiters = new Task<?>[3];
        run(HandWoven.body()
                .then(() -> {
                    waiters[0] = waiter("a", arrive);
                    waiters[1] = waiter("b", arrive);
                })
                .step(yieldOnce())
                .then(() -> {
                    assertEquals(2, barrier.waiting());
                    assertTrue(waiters[0].cancel()); // while waiting: leaves
                    assertEquals(1, barrier.waiting());
                    waiters[2] = waiter("c", arrive);
                })
                .step(yieldOnce())
                .step(arrive) // the third party: trips the barrier
                .then(() -> assertTrue(waiters[2].cancel())) // released, has not run
                .step(value -> {
                    log.add("main got " + value);
                    return value;
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a CancellationException", "main got 2", "b got 0", "c CancellationException"), log);
        assertEquals(0, barrier.waiting());
    }
}
