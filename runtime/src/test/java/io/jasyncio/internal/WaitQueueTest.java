package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WaitQueue}, the fair queue under every sync primitive, driven by a minimal primitive. */
class WaitQueueTest extends LoopTestBase {

    /** The smallest primitive: parks until handed a value; records what cancelWait saw. */
    private final WaitQueue queue = new WaitQueue();
    private final List<String> cancelled = new ArrayList<>();
    private final WaitSite site = task -> {
        boolean wasQueued = queue.remove(task);
        cancelled.add(task.name() + (wasQueued ? " left the queue" : " was handed " + WaitQueue.handedValue(task)));
    };

    private HandWoven.Step park() {
        return previous -> {
            queue.park(Coroutines.enter("WaitQueueTest.park"), site);
            return null;
        };
    }

    private Task<?> waiter(String name, List<String> log) {
        return Asyncio.createTask(name, HandWoven.body()
                .step(park())
                .step(value -> {
                    log.add(name + " got " + value);
                    return value;
                })
                .catching(failure -> {
                    log.add(name + " " + failure.getClass().getSimpleName());
                    return null;
                }));
    }

    @Test
    void wakeFirst_wakesWaitersFirstInFirstOutWithTheirValues() {
        List<String> log = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    waiter("a", log);
                    waiter("b", log);
                    waiter("c", log);
                })
                .step(yieldOnce())
                .then(() -> {
                    assertEquals(3, queue.size());
                    assertEquals("a", queue.wakeFirst(1).name());
                    assertEquals("b", queue.wakeFirst(2).name());
                    assertEquals(1, queue.size());
                })
                .step(yieldOnce())
                .then(() -> assertEquals("c", queue.wakeFirst(3).name()))
                .step(yieldOnce())
                .then(() -> {
                    assertTrue(queue.isEmpty());
                    assertNull(queue.wakeFirst(4));
                    finish(1);
                }));
        assertEquals(List.of("a got 1", "b got 2", "c got 3"), log);
    }

    @Test
    void remove_cancelledWaiterInTheMiddle_othersKeepTheirOrder() {
        List<String> log = new ArrayList<>();
        Task<?>[] middle = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    waiter("a", log);
                    middle[0] = waiter("b", log);
                    waiter("c", log);
                })
                .step(yieldOnce())
                .then(() -> {
                    assertTrue(middle[0].cancel());
                    assertEquals(2, queue.size());
                    assertEquals(2, queue.wakeAll("all"));
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("b left the queue"), cancelled);
        assertEquals(List.of("b CancellationException", "a got all", "c got all"), log);
    }

    @Test
    void remove_waiterCancelledAfterItWasHandedAValue_seenAsHandedAndTheValueIsReadable() {
        List<String> log = new ArrayList<>();
        Task<?>[] first = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    first[0] = waiter("a", log);
                    waiter("b", log);
                })
                .step(yieldOnce())
                .then(() -> {
                    assertSame(first[0], queue.wakeFirst("item"));
                    assertTrue(first[0].cancel());
                    queue.wakeFirst("second item");
                })
                .step(yieldOnce())
                .then(() -> finish(1)));
        assertEquals(List.of("a was handed item"), cancelled);
        assertEquals(List.of("a CancellationException", "b got second item"), log);
        assertFalse(log.contains("a got item"), "a cancelled waiter takes nothing");
    }
}
