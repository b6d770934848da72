package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code run} throws rather than hangs when no task can ever wake up, and cleans up first. */
class DeadlockTest extends LoopTestBase {

    @Test
    void run_twoTasksAwaitingEachOther_throwsAndRunsFinallyBlocks() {
        Task<?>[] first = new Task<?>[1];
        Task<?>[] second = new Task<?>[1];
        List<String> cleaned = new ArrayList<>();
        IllegalStateException thrown = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThrows(IllegalStateException.class, () -> run(HandWoven.body()
                        .then(() -> {
                            first[0] = Asyncio.createTask(HandWoven.body()
                                    .step(yieldOnce()).step(await(second)).finallyDo(() -> cleaned.add("first")));
                            second[0] = Asyncio.createTask(HandWoven.body()
                                    .step(yieldOnce()).step(await(first)).finallyDo(() -> cleaned.add("second")));
                        })
                        .step(await(first))
                        .finallyDo(() -> cleaned.add("main")))));
        // the report is taken before the tasks are cancelled: every task still parked where it was
        assertEquals("""
                deadlock: no task is ready and none can ever wake up (no timer, no channel); 3 tasks are parked:
                Task-1 (parked) waiting for task Task-2
                \\-- Task-2 (parked) waiting for task Task-3
                    \\-- Task-3 (parked) waiting for task Task-2
                        \\-- Task-2 (await cycle, see above)
                await cycle: Task-2 -> Task-3 -> Task-2
                """, thrown.getMessage());
        assertTrue(cleaned.containsAll(List.of("first", "second", "main")), cleaned.toString());
        assertTrue(first[0].isCancelled() && second[0].isCancelled());
        finish(1);
    }

    @Test
    void run_lockNeverReleased_throws() {
        Lock lock = new Lock();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThrows(IllegalStateException.class, () -> run(HandWoven.body()
                        .then(() -> Asyncio.createTask(HandWoven.body().then(lock::acquire)))
                        .step(yieldOnce())
                        .step(previous -> {
                            lock.acquire();
                            return null;
                        }))));
        finish(1);
    }
}
