package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Barrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Barrier} with woven code: parties, arrival indices, rounds, abort and reset, cancellation. */
class BarrierIT extends AsyncTestBase {

    @Async
    String arriveAfter(Barrier barrier, long millis, String name) {
        if (millis > 0) {
            Asyncio.sleep(millis);
        }
        try {
            int index = barrier.await();
            return name + " " + index + " at " + clock.elapsedMillis();
        } catch (BrokenBarrierException broken) {
            return name + " broken";
        } catch (CancellationException cancelled) {
            return name + " cancelled";
        }
    }

    @Test
    void await_partiesArrive_allGoOnTogetherWithTheirArrivalIndices() {
        Barrier barrier = new Barrier(3);
        List<String> results = runInVirtualTime(() -> Asyncio.gather(
                Asyncio.createTask(() -> arriveAfter(barrier, 30, "c")),
                Asyncio.createTask(() -> arriveAfter(barrier, 10, "a")),
                Asyncio.createTask(() -> arriveAfter(barrier, 20, "b"))));
        assertEquals(List.of("c 2 at 30", "a 0 at 30", "b 1 at 30"), results);
        assertEquals(0, barrier.waiting());
        finish(1);
    }

    @Test
    void await_secondRound_startsAsSoonAsTheFirstTripped() {
        Barrier barrier = new Barrier(2);
        List<String> results = runInVirtualTime(() -> Asyncio.gather(
                Asyncio.createTask(() -> arriveAfter(barrier, 10, "a")),
                Asyncio.createTask(() -> arriveAfter(barrier, 20, "b")),
                Asyncio.createTask(() -> arriveAfter(barrier, 20, "c")),
                Asyncio.createTask(() -> arriveAfter(barrier, 50, "d"))));
        assertEquals(List.of("a 0 at 20", "b 1 at 20", "c 0 at 50", "d 1 at 50"), results);
        finish(1);
    }

    @Test
    void abort_breaksTheWaitersAndLaterArrivalsUntilReset() {
        Barrier barrier = new Barrier(3);
        run(() -> {
            Task<String> waiter = Asyncio.createTask(() -> arriveAfter(barrier, 0, "w"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, barrier.waiting());
            barrier.abort();
            assertTrue(barrier.isBroken());
            assertEquals("w broken", waiter.await());
            assertEquals("late broken", arriveAfter(barrier, 0, "late"));
            barrier.reset();
            assertFalse(barrier.isBroken());
            Task<String> first = Asyncio.createTask(() -> arriveAfter(barrier, 0, "x"));
            Task<String> second = Asyncio.createTask(() -> arriveAfter(barrier, 0, "y"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(2, barrier.await());
            assertEquals(List.of("x 0 at 0", "y 1 at 0"), Asyncio.gather(first, second));
            finish(1);
        });
    }

    @Test
    void reset_breaksTheCurrentRoundOnly() {
        Barrier barrier = new Barrier(2);
        run(() -> {
            Task<String> waiter = Asyncio.createTask(() -> arriveAfter(barrier, 0, "w"));
            Asyncio.sleep(Duration.ZERO);
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertEquals("w broken", waiter.await());
            Task<String> next = Asyncio.createTask(() -> arriveAfter(barrier, 0, "n"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, barrier.await());
            assertEquals("n 0 at 0", next.await());
            finish(1);
        });
    }

    @Test
    void cancel_waiter_leavesAndTheBarrierWaitsForAnotherArrival() {
        Barrier barrier = new Barrier(2);
        List<String> results = runInVirtualTime(() -> {
            Task<String> quitter = Asyncio.createTask(() -> arriveAfter(barrier, 10, "quitter"));
            Task<String> a = Asyncio.createTask(() -> arriveAfter(barrier, 20, "a"));
            Task<String> b = Asyncio.createTask(() -> arriveAfter(barrier, 40, "b"));
            Asyncio.sleep(15);
            assertTrue(quitter.cancel());
            return Asyncio.gather(quitter, a, b);
        });
        assertEquals(List.of("quitter cancelled", "a 0 at 40", "b 1 at 40"), results);
        finish(1);
    }

    @Test
    void cancel_waiterReleasedBeforeItRan_throwsAndTheOthersPass() {
        Barrier barrier = new Barrier(3);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> arriveAfter(barrier, 0, "quitter"));
            Task<String> other = Asyncio.createTask(() -> arriveAfter(barrier, 0, "other"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(2, barrier.await()); // trips: both are woken, neither has run
            assertTrue(quitter.cancel());
            assertEquals(List.of("quitter cancelled", "other 1 at 0"), Asyncio.gather(quitter, other));
            assertEquals(0, barrier.waiting());
            finish(1);
        });
    }

    @Test
    void constructor_noParties_throwsNamingTheValue() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        assertEquals("Barrier: parties must be 1 or more, but is 0", thrown.getMessage());
        finish(1);
    }
}
