package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Larger runs kept apart from the behaviour tests: deep chains of parked calls, many tasks and
 * timers, a contended lock. Sizes stay small enough to run on every build.
 */
@Tag("stress")
class StressIT extends AsyncTestBase {

    @Async
    int descend(int depth) {
        if (depth == 0) {
            Asyncio.sleep(Duration.ZERO);
            return 0;
        }
        Asyncio.sleep(Duration.ZERO);
        int below = descend(depth - 1);
        Asyncio.sleep(Duration.ZERO);
        return below + 1;
    }

    @Test
    void deepChainOfParkedCalls_resumesEveryLevel() {
        int depth = run(() -> descend(2_000));
        assertEquals(2_000, depth);
        finish(1);
    }

    private record Sleeper(int id, long millis) {}

    @Test
    void manyTimers_wakeByDeadlineThenCallOrder() {
        Random random = new Random(42);
        List<Sleeper> sleepers = new ArrayList<>();
        for (int id = 0; id < 5_000; id++) {
            sleepers.add(new Sleeper(id, random.nextInt(100)));
        }
        List<Integer> woken = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (Sleeper sleeper : sleepers) {
                tasks.add(Asyncio.createTask(() -> {
                    Asyncio.sleep(sleeper.millis());
                    woken.add(sleeper.id());
                }));
            }
            for (Task<Void> task : tasks) {
                task.await();
            }
            return null;
        });
        List<Integer> expected = sleepers.stream()
                .sorted(Comparator.comparingLong(Sleeper::millis).thenComparingInt(Sleeper::id))
                .map(Sleeper::id)
                .toList();
        assertEquals(expected, woken);
        finish(1);
    }

    @Test
    void contendedLock_everyTaskGetsItOnceInArrivalOrder() {
        Lock lock = new Lock();
        List<Integer> order = new ArrayList<>();
        int[] inside = {0};
        runInVirtualTime(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int id = i;
                tasks.add(Asyncio.createTask(() -> {
                    lock.acquire();
                    try {
                        inside[0]++;
                        assertEquals(1, inside[0], "one task at a time");
                        order.add(id);
                        Asyncio.sleep(id % 3);
                        inside[0]--;
                    } finally {
                        lock.release();
                    }
                }));
            }
            for (Task<Void> task : tasks) {
                task.await();
            }
            return null;
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
        finish(1);
    }
}
