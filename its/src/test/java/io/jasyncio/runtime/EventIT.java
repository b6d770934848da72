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
import org.junit.jupiter.api.Test;

/** {@link Event} with woven code: set wakes every waiter in order, cancellation. */
class EventIT extends AsyncTestBase {
    private final Event event = new Event();

    @Async
    String awaitOrGiveUp() {
        try {
            event.await();
        } catch (CancellationException cancelled) {
            return "gave up";
        }
        return "woken";
    }

    @Test
    void set_wakesEveryWaiterFirstInFirstOut() {
        List<String> log = new ArrayList<>();
        run(() -> {
            List<Task<Void>> waiters = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                waiters.add(Asyncio.createTask(() -> {
                    event.await();
                    log.add(name);
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            assertTrue(log.isEmpty(), "nobody passes before set");
            event.set();
            event.clear(); // woken by a set that happened: they still return
            Asyncio.gather(waiters);
            assertFalse(event.isSet());
            finish(1);
        });
        assertEquals(List.of("a", "b", "c"), log);
    }

    @Test
    void await_whenSet_returnsWithoutParking() {
        run(() -> {
            event.set();
            Asyncio.createTask(() -> expect(2));
            event.await(); // does not park, so the new task has not run
            expect(1);
            assertTrue(event.isSet());
            Asyncio.sleep(Duration.ZERO);
            finish(3);
        });
    }

    @Test
    void cancel_queuedWaiter_leavesAndTheOthersAreStillWoken() {
        run(() -> {
            Task<String> quitter = Asyncio.createTask(this::awaitOrGiveUp);
            Task<String> patient = Asyncio.createTask(this::awaitOrGiveUp);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            event.set();
            assertEquals("woken", patient.await());
            finish(1);
        });
    }

    @Test
    void cancel_waiterWokenBySetBeforeItRan_throwsCancellation() {
        run(() -> {
            Task<String> quitter = Asyncio.createTask(this::awaitOrGiveUp);
            Task<String> patient = Asyncio.createTask(this::awaitOrGiveUp);
            Asyncio.sleep(Duration.ZERO);
            event.set();
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("woken", patient.await());
            finish(1);
        });
    }
}
