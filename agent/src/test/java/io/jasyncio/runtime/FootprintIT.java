package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core issue's memory budget: a task parked in {@code sleep} one call deep retains at most
 * 150 bytes of heap, task included. Measured as the growth of the live heap (after full
 * collections) while many such tasks are parked, divided by their number; the best of a few
 * rounds, so that a collection that happened to leave garbage behind does not count.
 */
class FootprintIT extends AsyncTestBase {
    private static final int TASKS = 100_000;
    private static final long BUDGET = 150;

    @Async
    static void parkForAnHour() {
        Asyncio.sleep(Duration.ofHours(1));
    }

    @Test
    void parkedSleepingTask_retainsAtMost150Bytes() {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            best = Math.min(best, measureOnce());
        }
        System.out.println("FootprintIT: a task parked in sleep one call deep retains " + best + " bytes");
        assertTrue(best <= BUDGET, "a task parked in sleep retains " + best + " bytes; the budget is " + BUDGET);
        finish(1);
    }

    private long measureOnce() {
        return run(() -> {
            List<Task<Void>> tasks = new ArrayList<>(TASKS);
            long before = liveHeap();
            for (int i = 0; i < TASKS; i++) {
                tasks.add(Asyncio.createTask(FootprintIT::parkForAnHour));
            }
            Asyncio.sleep(Duration.ZERO); // every task runs once and parks in sleep
            long after = liveHeap();
            for (Task<Void> task : tasks) {
                task.cancel();
            }
            return (after - before) / TASKS;
        });
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
