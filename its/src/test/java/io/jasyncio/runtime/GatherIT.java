package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Event;
import io.jasyncio.sync.Lock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.gather} with woven code: order of results, failure and cancellation propagation. */
class GatherIT extends AsyncTestBase {
    private final List<String> log = new ArrayList<>();

    @Async
    String after(long millis, String result) {
        Asyncio.sleep(millis);
        return result;
    }

    @Async
    String failAfter(long millis, String message) {
        Asyncio.sleep(millis);
        throw new IllegalStateException(message);
    }

    /** Sleeps an hour; when cancelled, cleans up for 5 ms and logs it. */
    @Async
    String sleepAnHour(String name) {
        try {
            Asyncio.sleep(Duration.ofHours(1));
            return name;
        } finally {
            Asyncio.sleep(5);
            log.add(name + " cleaned up at " + clock.elapsedMillis());
        }
    }

    @Test
    void gather_resultsInTheOrderGivenWhateverOrderTheTasksEndIn() {
        List<String> results = runInVirtualTime(() -> Asyncio.gather(
                Asyncio.createTask(() -> after(30, "a")),
                Asyncio.createTask(() -> after(10, "b")),
                Asyncio.createTask(() -> after(20, "c"))));
        assertEquals(List.of("a", "b", "c"), results);
        assertEquals(30, clock.elapsedMillis(), "awaited at the same time");
        finish(1);
    }

    @Test
    void gather_listOfTasksAndNoTasks() {
        run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int value = i;
                tasks.add(Asyncio.createTask(() -> value * value));
            }
            assertEquals(List.of(0, 1, 4, 9, 16), Asyncio.gather(tasks));
            assertEquals(List.of(), Asyncio.gather(List.<Task<Integer>>of()));
            finish(1);
        });
    }

    @Test
    void gather_tasksAlreadyEnded_returnsWithoutParking() {
        run(() -> {
            Task<String> done = Asyncio.createTask(() -> "done");
            Asyncio.sleep(Duration.ZERO);
            Asyncio.createTask(() -> expect(2));
            assertEquals(List.of("done", "done"), Asyncio.gather(done, done));
            expect(1);
            Asyncio.sleep(Duration.ZERO);
            finish(3);
        });
    }

    @Test
    void gather_oneFails_theOthersAreCancelledAndHaveEndedWhenTheFailureIsThrown() {
        Task<?>[] sleepers = new Task<?>[2];
        runInVirtualTime(() -> {
            sleepers[0] = Asyncio.createTask(() -> sleepAnHour("first"));
            Task<String> failing = Asyncio.createTask(() -> failAfter(10, "boom"));
            sleepers[1] = Asyncio.createTask(() -> sleepAnHour("second"));
            try {
                Asyncio.gather(sleepers[0], failing, sleepers[1]);
                expectUnreached();
            } catch (IllegalStateException failure) {
                assertEquals("boom", failure.getMessage());
                assertEquals(List.of("first cleaned up at 15", "second cleaned up at 15"), log);
                assertEquals(0, failure.getSuppressed().length);
            }
            return null;
        });
        assertTrue(sleepers[0].isCancelled());
        assertTrue(sleepers[1].isCancelled());
        assertEquals(15, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void gather_firstFailureInTime_isThrownWithLaterFailuresSuppressed() {
        runInVirtualTime(() -> {
            Task<String> late = Asyncio.createTask(() -> failAfter(20, "late"));
            Task<String> cleanupFails = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                    return "slept";
                } catch (CancellationException cancelled) {
                    throw new IllegalArgumentException("cleanup failed");
                }
            });
            Task<String> early = Asyncio.createTask(() -> failAfter(10, "early"));
            try {
                Asyncio.gather(late, cleanupFails, early);
                expectUnreached();
            } catch (IllegalStateException failure) {
                assertEquals("early", failure.getMessage(), "first in time, not in the list");
                assertEquals(1, failure.getSuppressed().length);
                assertEquals("cleanup failed", failure.getSuppressed()[0].getMessage());
            }
            assertTrue(late.isCancelled(), "cancelled before it could fail");
            return null;
        });
        assertEquals(10, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void gather_checkedFailure_isWrappedInCompletionException() {
        run(() -> {
            Task<String> failing = Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ZERO);
                throw new IOException("disk gone");
            });
            try {
                Asyncio.gather(failing);
                expectUnreached();
            } catch (CompletionException wrapped) {
                assertInstanceOf(IOException.class, wrapped.getCause());
                assertEquals("disk gone", wrapped.getCause().getMessage());
            }
            finish(1);
        });
    }

    @Test
    void gather_childCancelledBySomeoneElse_throwsCancellationAndCancelsTheOthers() {
        Task<?>[] other = new Task<?>[1];
        runInVirtualTime(() -> {
            Task<String> victim = Asyncio.createTask(() -> after(100, "victim"));
            other[0] = Asyncio.createTask(() -> sleepAnHour("other"));
            Task<List<Object>> gatherer = Asyncio.createTask(() -> Asyncio.gather(victim, other[0]));
            Asyncio.sleep(10);
            victim.cancel();
            try {
                gatherer.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals(List.of("other cleaned up at 15"), log);
            }
            return null;
        });
        assertTrue(other[0].isCancelled());
        finish(1);
    }

    @Test
    void cancel_gatheringTask_cancelsEveryChildAndEndsAfterThem() {
        Task<?>[] children = new Task<?>[2];
        runInVirtualTime(() -> {
            children[0] = Asyncio.createTask(() -> sleepAnHour("a"));
            children[1] = Asyncio.createTask(() -> sleepAnHour("b"));
            Task<List<Object>> gatherer = Asyncio.createTask(() -> Asyncio.gather(children[0], children[1]));
            Asyncio.sleep(10);
            assertTrue(gatherer.cancel());
            try {
                gatherer.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals(List.of("a cleaned up at 15", "b cleaned up at 15"), log);
            }
            assertTrue(gatherer.isCancelled());
            return null;
        });
        assertTrue(children[0].isCancelled());
        assertTrue(children[1].isCancelled());
        finish(1);
    }

    @Test
    void gather_theCallingTaskItself_throwsNamingIt() {
        run(() -> {
            @SuppressWarnings("unchecked")
            Task<Object> self = (Task<Object>) Asyncio.currentTask();
            try {
                Asyncio.gather(self);
                expectUnreached();
            } catch (IllegalArgumentException expected) {
                assertEquals("Asyncio.gather: task " + self.name() + " cannot gather itself", expected.getMessage());
            }
            finish(1);
        });
    }

    @Test
    void gather_sameTaskTwice_resultTwice() {
        run(() -> {
            Task<String> task = Asyncio.createTask(() -> after(1, "x"));
            List<String> results = Asyncio.gather(task, task);
            assertEquals(List.of("x", "x"), results);
            assertSame(results.get(0), results.get(1));
            finish(1);
        });
    }

    @Test
    void run_gatheredTaskWaitsForEver_reportsTheDeadlockInsteadOfHanging() {
        Event never = new Event();
        IllegalStateException thrown = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalStateException.class, () -> run(() -> {
                    Task<Void> stuck = Asyncio.createTask(() -> never.await());
                    Asyncio.gather(stuck);
                })));
        assertTrue(thrown.getMessage().startsWith("deadlock: no task is ready"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("\nTask-1 (parked) waiting for gather of 1 task, 1 not ended\n"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("\n\\-- Task-2 (parked) waiting for Event to be set\n"),
                "the gathered task is drawn right under the gathering one: " + thrown.getMessage());
        assertFalse(thrown.getMessage().contains("gather:"), "no watcher task: " + thrown.getMessage());
        finish(1);
    }

    @Test
    void gather_sameFailingTaskTwice_throwsItsFailureOnce() {
        run(() -> {
            Task<String> failing = Asyncio.createTask(() -> failAfter(1, "once"));
            try {
                Asyncio.gather(failing, failing);
                expectUnreached();
            } catch (IllegalStateException failure) {
                assertEquals("once", failure.getMessage());
                assertEquals(0, failure.getSuppressed().length);
            }
            finish(1);
        });
    }

    @Test
    void gather_ofTenTasks_allTasksHoldsTheGathererAndTheTenOnly() {
        int count = 10;
        List<Task<?>> seen = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<String>> children = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "child" + i;
                boolean looks = i == 0;
                children.add(Asyncio.createTask(() -> {
                    Asyncio.sleep(10);
                    if (looks) { // the gathering task is parked in gather by now
                        seen.addAll(Asyncio.allTasks());
                    }
                    return name;
                }));
            }
            List<String> results = Asyncio.gather(children);
            assertEquals(count, results.size());
            assertEquals("child9", results.get(9));
            List<Task<?>> expected = new ArrayList<>();
            expected.add(Asyncio.currentTask());
            expected.addAll(children);
            assertEquals(expected, seen, "gather makes no task of its own");
            return null;
        });
        finish(1);
    }

    @Test
    void gather_childNotStartedAndAnotherFailedAlready_cancelsItAtOnceAndThrowsWithoutParking() {
        run(() -> {
            Task<String> failed = Asyncio.createTask(() -> {
                throw new IllegalStateException("early");
            });
            Asyncio.sleep(Duration.ZERO);
            Task<String> notStarted = Asyncio.createTask(() -> {
                expectUnreached();
                return "never";
            });
            Asyncio.createTask(() -> expect(2)); // would run first if gather parked
            try {
                Asyncio.gather(failed, notStarted);
                expectUnreached();
            } catch (IllegalStateException failure) {
                assertEquals("early", failure.getMessage());
                expect(1);
            }
            assertTrue(notStarted.isCancelled());
            Asyncio.sleep(Duration.ZERO);
            finish(3);
        });
    }

    @Test
    void run_endsWhileAGatheredTaskWaitsForTheLockTheGathererHolds_cancelsThemAllAndReturns() {
        Lock lock = new Lock();
        Task<?>[] tasks = new Task<?>[3];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(() -> {
            tasks[0] = Asyncio.createTask(() -> sleepAnHour("below"));
            tasks[1] = Asyncio.createTask(() -> {
                lock.acquire();
                try {
                    return Asyncio.gather(tasks[0], tasks[2]);
                } finally {
                    lock.release();
                }
            });
            tasks[2] = Asyncio.createTask(() -> {
                lock.acquire();
                lock.release();
            });
            Asyncio.sleep(Duration.ZERO); // the gatherer holds the lock and waits for a task that wants it
            finish(1);
        })); // run cancels the three: the gatherer ends once both children have, then releases the lock
        for (Task<?> task : tasks) {
            assertTrue(task.isCancelled(), task.toString());
        }
        assertFalse(lock.isLocked());
        assertEquals(1, log.size(), log.toString());
    }
}
