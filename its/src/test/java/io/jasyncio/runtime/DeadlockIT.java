package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.AsyncRunnable;
import io.jasyncio.Task;
import io.jasyncio.sync.Event;
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

    /** A body that takes {@code held}, lets the others run, then takes {@code wanted}; releases both. */
    private static AsyncRunnable takeInOrder(Lock held, Lock wanted, List<String> cleaned, String name) {
        return () -> {
            held.acquire();
            try {
                Asyncio.sleep(Duration.ZERO);
                wanted.acquire();
                wanted.release();
            } finally {
                held.release();
                cleaned.add(name);
            }
        };
    }

    @Test
    void run_twoTasksTakingTwoLocksInOppositeOrder_reportsTheLockCycle() {
        Lock first = new Lock();
        Lock second = new Lock();
        List<String> cleaned = new ArrayList<>();
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    Task<Void> a = Asyncio.createTask("a", takeInOrder(first, second, cleaned, "a"));
                    Asyncio.createTask("b", takeInOrder(second, first, cleaned, "b"));
                    a.await();
                })));
        String report = thrown.getMessage();
        assertTrue(report.startsWith("deadlock: no task is ready and none can ever wake up"), report);
        assertTrue(report.contains("\nTask-1 (parked) waiting for task a\n"), report);
        assertTrue(report.contains("\\-- a (parked) waiting for Lock held by b\n"), report);
        assertTrue(report.contains("\\-- b (parked) waiting for Lock held by a\n"), report);
        assertTrue(report.contains("\\-- a (lock cycle, see above)\n"), report);
        assertTrue(report.endsWith("\nlock cycle: a -(Lock held by b)-> b -(Lock held by a)-> a\n"), report);
        assertFalse(report.contains("await cycle"), report);
        // the cancellation of the leftovers runs the finally blocks, which release the locks
        assertEquals(List.of("a", "b"), cleaned);
        assertFalse(first.isLocked() || second.isLocked());
        finish(1);
    }

    @Test
    void run_threeTasksEachHoldingTheLockTheNextWants_reportsOneLockCycleThroughAllThree() {
        Lock[] locks = {new Lock(), new Lock(), new Lock()};
        List<String> cleaned = new ArrayList<>();
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    Task<Void> x = Asyncio.createTask("x", takeInOrder(locks[0], locks[1], cleaned, "x"));
                    Asyncio.createTask("y", takeInOrder(locks[1], locks[2], cleaned, "y"));
                    Asyncio.createTask("z", takeInOrder(locks[2], locks[0], cleaned, "z"));
                    x.await();
                })));
        String report = thrown.getMessage();
        assertTrue(report.startsWith("deadlock: no task is ready and none can ever wake up"), report);
        assertTrue(report.contains("; 4 tasks are parked:\n"), report);
        assertTrue(report.endsWith("\nlock cycle: x -(Lock held by y)-> y -(Lock held by z)-> z -(Lock held by x)-> x\n"),
                report);
        assertEquals(1, report.split("cycle: ", -1).length - 1, "one cycle, listed once: " + report);
        assertEquals(3, cleaned.size(), cleaned.toString());
        finish(1);
    }

    @Test
    void run_taskAwaitingATaskThatWaitsForItsLock_reportsAMixedLockCycle() {
        Lock lock = new Lock();
        @SuppressWarnings("unchecked")
        Task<Void>[] waiter = new Task[1];
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    Task<Void> holder = Asyncio.createTask("holder", () -> {
                        lock.acquire();
                        try {
                            Asyncio.sleep(Duration.ZERO);
                            waiter[0].await();
                        } finally {
                            lock.release();
                        }
                    });
                    waiter[0] = Asyncio.createTask("waiter", () -> {
                        lock.acquire();
                        lock.release();
                    });
                    holder.await();
                })));
        String report = thrown.getMessage();
        assertTrue(report.contains("\\-- holder (parked) waiting for task waiter\n"), report);
        assertTrue(report.contains("\\-- waiter (parked) waiting for Lock held by holder\n"), report);
        assertTrue(report.contains("\\-- holder (lock cycle, see above)\n"), report);
        assertTrue(report.endsWith("\nlock cycle: holder -> waiter -(Lock held by holder)-> holder\n"), report);
        assertFalse(lock.isLocked());
        finish(1);
    }

    @Test
    void run_lockWaiterWhoseHolderWaitsForAnEventNobodySets_isADeadlockButNoCycle() {
        Lock lock = new Lock();
        Event never = new Event();
        IllegalStateException thrown = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
                () -> run(() -> {
                    Asyncio.createTask("holder", () -> {
                        lock.acquire();
                        try {
                            never.await();
                        } finally {
                            lock.release();
                        }
                    });
                    Asyncio.sleep(Duration.ZERO);
                    lock.acquire();
                })));
        String report = thrown.getMessage();
        assertTrue(report.contains("\nTask-1 (parked) waiting for Lock held by holder\n"), report);
        assertTrue(report.contains("\\-- holder (parked) waiting for Event to be set\n"), report);
        assertFalse(report.contains("cycle"), report);
        finish(1);
    }
}
