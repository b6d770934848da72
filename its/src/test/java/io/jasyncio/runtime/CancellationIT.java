package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@code Task.cancel()} with woven code: in each state, and {@code Asyncio.run}'s leftovers. */
class CancellationIT extends AsyncTestBase {

    @Async
    void sleepAnHourCatchingAndCleaning(int catchAction, int finallyAction) {
        try {
            Asyncio.sleep(Duration.ofHours(1));
            expectUnreached();
        } catch (CancellationException cancelled) {
            expect(catchAction);
            throw cancelled;
        } finally {
            expect(finallyAction);
        }
    }

    @Test
    void cancel_parkedTask_catchAndFinallyRunAndAwaitThrows() {
        Task<?> sleeper = runInVirtualTime(() -> {
            expect(1);
            Task<Void> task = Asyncio.createTask(() -> {
                expect(2);
                sleepAnHourCatchingAndCleaning(5, 6);
            });
            Asyncio.sleep(Duration.ZERO);
            expect(3);
            assertTrue(task.cancel());
            assertFalse(task.isDone(), "delivered when the task runs");
            expect(4);
            try {
                task.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(7);
            }
            return task;
        });
        assertTrue(sleeper.isDone());
        assertTrue(sleeper.isCancelled());
        assertThrows(CancellationException.class, sleeper::result);
        assertTrue(clock.elapsedMillis() < 1_000, "the hour was not waited for");
        finish(8);
    }

    @Test
    void cancel_taskThatNeverStarted_neverRuns() {
        run(() -> {
            expect(1);
            Task<Void> never = Asyncio.createTask(() -> expectUnreached());
            assertTrue(never.cancel());
            assertTrue(never.isCancelled());
            assertFalse(never.cancel(), "already ended");
            Asyncio.sleep(Duration.ZERO);
            expect(2);
            try {
                never.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(3);
            }
            finish(4);
        });
    }

    @Test
    void cancel_selfWhileRunning_deliveredAtTheNextSuspension() {
        Task<?> self = run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                expect(1);
                assertTrue(Asyncio.currentTask().cancel());
                expect(2); // still running: nothing is thrown until it suspends
                try {
                    Asyncio.sleep(Duration.ZERO);
                    expectUnreached();
                } finally {
                    expect(3);
                }
            });
            try {
                task.await();
            } catch (CancellationException expected) {
                expect(4);
            }
            return task;
        });
        assertTrue(self.isCancelled());
        finish(5);
    }

    @Test
    void cancel_catchingTheCancellation_taskEndsNormally() {
        String result = run(() -> {
            Task<String> stubborn = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                    return "slept";
                } catch (CancellationException ignored) {
                    return "caught";
                }
            });
            Asyncio.sleep(Duration.ZERO);
            stubborn.cancel();
            String outcome = stubborn.await();
            assertFalse(stubborn.isCancelled());
            return outcome;
        });
        assertEquals("caught", result);
        finish(1);
    }

    @Test
    void cancel_taskThatEnded_returnsFalse() {
        run(() -> {
            Task<String> quick = Asyncio.createTask(() -> "done");
            assertEquals("done", quick.await());
            assertFalse(quick.cancel());
            assertFalse(quick.isCancelled());
            assertEquals("done", quick.result());
            finish(1);
        });
    }

    @Test
    void cancel_taskWokenButNotYetRun_resumesWithTheCancellation() {
        runInVirtualTime(() -> {
            Task<String> sleeper = Asyncio.createTask(() -> {
                expect(1);
                try {
                    Asyncio.sleep(10);
                    return "woke";
                } catch (CancellationException cancelled) {
                    expect(3);
                    return "cancelled after its timer fired";
                }
            });
            // Both timers fall due at 10 ms and wake in call order: main first, so main runs
            // while the sleeper is ready but has not run yet.
            Asyncio.sleep(10);
            expect(2);
            assertTrue(sleeper.cancel());
            assertEquals("cancelled after its timer fired", sleeper.await());
            finish(4);
            return null;
        });
    }

    @Test
    void run_mainEnds_leftoverTasksCancelledInCreationOrderAndTheirFinallyBlocksRun() {
        List<Task<?>> leftovers = new ArrayList<>();
        int answer = runInVirtualTime(() -> {
            expect(1);
            leftovers.add(Asyncio.createTask(() -> {
                expect(2);
                sleepAnHourCatchingAndCleaning(5, 6);
            }));
            leftovers.add(Asyncio.createTask(() -> {
                expect(3);
                sleepAnHourCatchingAndCleaning(7, 8);
            }));
            Asyncio.sleep(Duration.ZERO);
            expect(4);
            leftovers.add(Asyncio.createTask(() -> expectUnreached())); // never starts
            leftovers.add(Asyncio.createTask(() -> expectUnreached()));
            return 42;
        });
        assertEquals(42, answer);
        for (Task<?> task : leftovers) {
            assertTrue(task.isCancelled(), task + " is cancelled");
        }
        assertEquals(0, clock.elapsedMillis(), "no leftover was waited for");
        finish(9);
    }

    @Test
    void cancel_taskWhoseFinallySuspends_finishesItsCleanupBeforeItEnds() {
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } finally {
                    log.add("cleaning");
                    Asyncio.sleep(50); // a cleanup that suspends
                    log.add("cleaned");
                }
            });
            Asyncio.sleep(Duration.ZERO);
            worker.cancel();
            try {
                worker.await();
            } catch (CancellationException expected) {
                log.add("awaited");
            }
            return null;
        });
        assertEquals(List.of("cleaning", "cleaned", "awaited"), log);
        assertEquals(50, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void run_leftoverWhoseFinallySuspends_cleanupCompletesBeforeRunReturns() {
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } finally {
                    Asyncio.sleep(20);
                    log.add("leftover cleaned");
                }
            });
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        assertEquals(List.of("leftover cleaned"), log);
        assertEquals(20, clock.elapsedMillis());
        finish(1);
    }

    @Async
    String middleThatSwallowsCancellation() {
        try {
            Asyncio.sleep(Duration.ofHours(1));
            return "slept";
        } catch (CancellationException cancelled) {
            Asyncio.sleep(5); // suspends again in the same frame, after the cancellation
            return "recovered";
        }
    }

    @Async
    String outerCaller() {
        String fromMiddle = middleThatSwallowsCancellation();
        Asyncio.sleep(Duration.ZERO);
        return "outer got " + fromMiddle;
    }

    @Test
    void cancel_nestedMethodCatchesAndSuspendsAgain_callerGetsItsResult() {
        String result = runInVirtualTime(() -> {
            Task<String> task = Asyncio.createTask(this::outerCaller);
            Asyncio.sleep(Duration.ZERO);
            task.cancel();
            return task.await();
        });
        assertEquals("outer got recovered", result);
        finish(1);
    }

    @Test
    void cancel_twice_secondInterruptsTheCleanup() {
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } finally {
                    try {
                        Asyncio.sleep(Duration.ofHours(2));
                        log.add("cleanup slept");
                    } catch (CancellationException again) {
                        log.add("cleanup cancelled");
                    }
                }
            });
            Asyncio.sleep(Duration.ZERO);
            assertTrue(worker.cancel());
            Asyncio.sleep(Duration.ZERO); // the worker enters its finally and parks again
            assertTrue(worker.cancel());
            try {
                worker.await();
            } catch (CancellationException expected) {
                log.add("awaited");
            }
            return null;
        });
        assertEquals(List.of("cleanup cancelled", "awaited"), log);
        assertEquals(0, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void await_byTheTaskItself_throws() {
        run(() -> {
            IllegalStateException thrown = null;
            try {
                Asyncio.currentTask().await();
            } catch (IllegalStateException expected) {
                thrown = expected;
            }
            assertEquals("Task " + Asyncio.currentTask().name() + " cannot await itself", thrown.getMessage());
            finish(1);
        });
    }

    @Test
    void cancel_taskParkedInAwaitOnAnotherTask_onlyTheAwaiterStops() {
        List<String> log = new ArrayList<>();
        String result = runInVirtualTime(() -> {
            Task<String> awaited = Asyncio.createTask(() -> {
                Asyncio.sleep(50);
                return "awaited finished";
            });
            Task<String> quitter = Asyncio.createTask(() -> {
                try {
                    return awaited.await();
                } catch (CancellationException cancelled) {
                    log.add("quitter cancelled at " + clock.elapsedMillis());
                    throw cancelled;
                } finally {
                    log.add("quitter finally");
                }
            });
            Task<String> stayer = Asyncio.createTask(() -> "stayer got " + awaited.await());
            Asyncio.sleep(10);
            assertTrue(quitter.cancel());
            try {
                quitter.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(quitter.isCancelled());
            assertFalse(awaited.isDone(), "cancelling an awaiter does not cancel the task it awaits");
            assertEquals("stayer got awaited finished", stayer.await());
            assertFalse(awaited.isCancelled());
            return awaited.await();
        });
        assertEquals("awaited finished", result);
        assertEquals(List.of("quitter cancelled at 10", "quitter finally"), log);
        assertEquals(50, clock.elapsedMillis());
        finish(2);
    }
}
