package io.jasyncio.runtime;

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

/** {@code Asyncio.run} throws rather than hangs when no task can ever wake up. */
class DeadlockIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void run_twoTasksAwaitingEachOther_throwsAndRunsEveryFinallyBlock() {
        List<String> cleaned = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Task<Void>[] pair = new Task[2];
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    pair[0] = Asyncio.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ZERO);
                            pair[1].await();
                        } finally {
                            cleaned.add("first");
                        }
                    });
                    pair[1] = Asyncio.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ZERO);
                            pair[0].await();
                        } finally {
                            cleaned.add("second");
                        }
                    });
                    try {
                        pair[0].await();
                    } finally {
                        cleaned.add("main");
                    }
                })));
        assertTrue(thrown.getMessage().startsWith("deadlock: no task is ready and none can ever wake up"),
                thrown.getMessage());
        // the report is the dump of the tasks taken before they were cancelled: who awaits whom, the cycle
        String first = pair[0].name();
        String second = pair[1].name();
        assertTrue(thrown.getMessage().contains("\nTask-1 (parked) waiting for task " + first + "\n"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("\\-- " + first + " (parked) waiting for task " + second + "\n"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("\\-- " + second + " (parked) waiting for task " + first + "\n"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().endsWith("\nawait cycle: " + first + " -> " + second + " -> " + first + "\n"),
                thrown.getMessage());
        // every task is cancelled, oldest (main) first, before run throws
        assertEquals(List.of("main", "first", "second"), cleaned);
        assertTrue(pair[0].isCancelled() && pair[1].isCancelled());
        finish(1);
    }

    @Test
    void run_lockNeverReleased_throws() {
        Lock lock = new Lock();
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    Asyncio.createTask(() -> lock.acquire());
                    Asyncio.sleep(Duration.ZERO);
                    lock.acquire();
                })));
        assertTrue(thrown.getMessage().startsWith("deadlock"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("\nTask-1 (parked) waiting for Lock held by Task-2, which ended without releasing it\n"), thrown.getMessage());
        finish(1);
    }
}
