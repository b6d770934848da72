package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code Asyncio.timeout} and {@code timeoutAt} with woven code, in virtual time: the body runs
 * in the calling task, scopes nest (inner first, outer first, same deadline), a real cancel
 * stays a cancel, and a body that swallows the cancellation still times out.
 */
class TimeoutIT extends AsyncTestBase {
    private final List<String> log = new ArrayList<>();

    /** Sleeps {@code millis}; when cancelled, cleans up for 5 ms, logs it and rethrows. */
    @Async
    String sleepThenCleanUp(String name, long millis) {
        try {
            Asyncio.sleep(millis);
            return name + " slept " + millis;
        } catch (CancellationException cancelled) {
            Asyncio.sleep(5);
            log.add(name + " cleaned up at " + clock.elapsedMillis());
            throw cancelled;
        }
    }

    @Test
    void timeout_bodyEndsInTime_returnsItsResultAtOnce() {
        String result = runInVirtualTime(() -> Asyncio.timeout(Duration.ofMillis(100), () -> sleepThenCleanUp("body", 50)));
        assertEquals("body slept 50", result);
        assertEquals(50, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void timeout_expires_bodyIsCancelledInTheCallingTaskAndCleansUpBeforeTheTimeoutIsThrown() {
        runInVirtualTime(() -> {
            Task<?> caller = Asyncio.currentTask();
            try {
                Asyncio.timeout(Duration.ofMillis(100), () -> {
                    assertSame(caller, Asyncio.currentTask(), "the body runs in the calling task");
                    expect(1);
                    return sleepThenCleanUp("body", 3_600_000);
                });
                expectUnreached();
            } catch (TimeoutException timeout) {
                expect(2);
                assertEquals("Asyncio.timeout: the body did not finish within PT0.1S; it was cancelled", timeout.getMessage());
                assertNull(timeout.getCause());
                assertEquals(List.of("body cleaned up at 105"), log);
            }
            Asyncio.sleep(10); // the scope is gone: nothing cancels this
            return null;
        });
        assertEquals(115, clock.elapsedMillis());
        finish(3);
    }

    @Test
    void timeout_runnableBody_timesOut() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(20), () -> Asyncio.sleep(Duration.ofHours(1)));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        assertEquals(20, clock.elapsedMillis());
        finish(2);
    }

    @Test
    void nested_innerExpiresFirst_theBodyCatchesTheInnerTimeoutAndGoesOn() {
        String result = runInVirtualTime(() -> Asyncio.timeout(Duration.ofMillis(100), () -> {
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> sleepThenCleanUp("inner", 3_600_000));
                expectUnreached();
            } catch (TimeoutException inner) {
                expect(1);
                assertEquals("Asyncio.timeout: the body did not finish within PT0.01S; it was cancelled", inner.getMessage());
            }
            return sleepThenCleanUp("outer", 50);
        }));
        assertEquals("outer slept 50", result);
        assertEquals(List.of("inner cleaned up at 15"), log);
        assertEquals(65, clock.elapsedMillis());
        finish(2);
    }

    @Test
    void nested_outerExpiresFirst_surfacesAsTheOuterTimeoutNotTheInner() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(50), () -> {
                    try {
                        Asyncio.timeout(Duration.ofMillis(1_000), () -> sleepThenCleanUp("inner", 3_600_000));
                    } catch (TimeoutException inner) {
                        expectUnreached(); // the inner scope must not swallow the outer expiry
                    }
                    expectUnreached();
                    return null;
                });
                expectUnreached();
            } catch (TimeoutException outer) {
                expect(1);
                assertEquals("Asyncio.timeout: the body did not finish within PT0.05S; it was cancelled", outer.getMessage());
            }
            return null;
        });
        assertEquals(List.of("inner cleaned up at 55"), log);
        finish(2);
    }

    @Test
    void nested_sameDeadline_theOuterScopeWins() {
        runInVirtualTime(() -> {
            long deadline = Asyncio.time() + 30_000_000;
            try {
                Asyncio.timeoutAt(deadline, () -> {
                    try {
                        Asyncio.timeoutAt(deadline, () -> sleepThenCleanUp("inner", 3_600_000));
                    } catch (TimeoutException inner) {
                        expectUnreached();
                    }
                    expectUnreached();
                });
                expectUnreached();
            } catch (TimeoutException outer) {
                expect(1);
                assertEquals("Asyncio.timeoutAt: the body did not finish within PT0.03S; it was cancelled", outer.getMessage());
            }
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> {
                    try {
                        Asyncio.timeout(Duration.ofMillis(10), () -> Asyncio.sleep(Duration.ofHours(1)));
                    } catch (TimeoutException inner) {
                        expectUnreached();
                    }
                });
                expectUnreached();
            } catch (TimeoutException outer) {
                expect(2);
            }
            return null;
        });
        assertEquals(40 + 5, clock.elapsedMillis());
        finish(3);
    }

    @Test
    void nested_threeDeep_middleExpiresFirst_onlyTheMiddleTimesOut() {
        String result = runInVirtualTime(() -> Asyncio.timeout(Duration.ofMillis(500), () -> {
            String middle;
            try {
                middle = Asyncio.timeout(Duration.ofMillis(20), () ->
                        Asyncio.timeout(Duration.ofMillis(300), () -> sleepThenCleanUp("innermost", 3_600_000)));
            } catch (TimeoutException expected) {
                middle = "middle timed out at " + clock.elapsedMillis();
            }
            Asyncio.sleep(100);
            return middle;
        }));
        assertEquals("middle timed out at 25", result);
        assertEquals(125, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void cancel_ofTheTaskInsideAScope_staysACancellationNotATimeout() {
        runInVirtualTime(() -> {
            Task<String> worker = Asyncio.createTask(() -> Asyncio.timeout(Duration.ofMillis(100),
                    () -> sleepThenCleanUp("worker", 3_600_000)));
            Asyncio.sleep(10);
            assertTrue(worker.cancel());
            try {
                worker.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(worker.isCancelled());
            assertEquals(List.of("worker cleaned up at 15"), log);
            Asyncio.sleep(200); // the scope's timer is gone with it
            return null;
        });
        finish(2);
    }

    @Test
    void cancel_inTheSameStepAsTheDeadline_theCancelWins() {
        runInVirtualTime(() -> {
            Task<String> worker = Asyncio.createTask(() -> Asyncio.timeout(Duration.ofMillis(10),
                    () -> sleepThenCleanUp("worker", 3_600_000)));
            Asyncio.sleep(10); // wakes in the step in which the worker's deadline passes, before the worker runs
            assertTrue(worker.cancel());
            try {
                worker.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(worker.isCancelled());
            return null;
        });
        finish(2);
    }

    @Test
    void cancel_justBeforeTheDeadlineFires_theCancelIsNotReplacedByTheTimeout() {
        runInVirtualTime(() -> {
            Task<String> worker = Asyncio.createTask(() -> Asyncio.timeout(Duration.ZERO,
                    () -> sleepThenCleanUp("worker", 3_600_000)));
            Asyncio.sleep(Duration.ZERO); // the worker enters its scope, due now, and parks
            assertTrue(worker.cancel()); // the scope's timer fires at the next step, before the worker runs
            try {
                worker.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(worker.isCancelled());
            return null;
        });
        finish(2);
    }

    @Test
    void cancel_ofATaskInAScopeThatAlreadyTimedOut_isACancellation() {
        runInVirtualTime(() -> {
            Task<Void> worker = Asyncio.createTask(() -> {
                try {
                    Asyncio.timeout(Duration.ofMillis(10), () -> {
                        try {
                            Asyncio.sleep(Duration.ofHours(1));
                        } catch (CancellationException timeUp) {
                            Asyncio.sleep(Duration.ofHours(1)); // a clean-up that parks: cancelled from outside
                        }
                    });
                    expectUnreached();
                } catch (TimeoutException wrong) {
                    expectUnreached();
                }
            });
            Asyncio.sleep(20);
            worker.cancel();
            try {
                worker.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void timeout_bodyCatchesTheCancellationAndReturns_stillTimesOut() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> {
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                        return "slept";
                    } catch (CancellationException swallowed) {
                        return "caught";
                    }
                });
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void timeout_bodyFailsAfterTheDeadline_failureIsTheCause() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> {
                    try {
                        Asyncio.sleep(1_000);
                    } catch (CancellationException cancelled) {
                        throw new IllegalStateException("cleanup failed");
                    }
                });
                expectUnreached();
            } catch (TimeoutException timeout) {
                assertEquals("Asyncio.timeout: the body did not finish within PT0.01S; it was cancelled and failed, "
                        + "see the cause", timeout.getMessage());
                assertEquals("cleanup failed", timeout.getCause().getMessage());
            }
            return null;
        });
        finish(1);
    }

    @Test
    void timeout_bodyFailsBeforeTheDeadline_failureAsItIs() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(100), () -> {
                    Asyncio.sleep(10);
                    throw new IllegalStateException("broken body");
                });
                expectUnreached();
            } catch (IllegalStateException expected) {
                assertEquals("broken body", expected.getMessage());
            }
            return null;
        });
        assertEquals(10, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void timeoutAt_deadlineOnTheLoopsClock() {
        runInVirtualTime(() -> {
            long start = Asyncio.time();
            assertEquals("quick", Asyncio.timeoutAt(start + 50_000_000, () -> sleepThenCleanUp("quick", 20)).substring(0, 5));
            try {
                Asyncio.timeoutAt(start + 50_000_000, () -> sleepThenCleanUp("slow", 3_600_000));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
                assertEquals("Asyncio.timeoutAt: the body did not finish within PT0.03S; it was cancelled", expected.getMessage());
            }
            assertEquals(55_000_000, Asyncio.time() - start);
            return null;
        });
        finish(2);
    }

    @Test
    void timeoutAt_deadlinePassedAlready_onlyABodyThatNeverParksFinishes() {
        runInVirtualTime(() -> {
            long past = Asyncio.time() - 1;
            assertEquals("now", Asyncio.timeoutAt(past, () -> "now"));
            try {
                Asyncio.timeoutAt(past, () -> Asyncio.sleep(1));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            try {
                Asyncio.timeout(Duration.ZERO, () -> Asyncio.sleep(1));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(2);
            }
            return null;
        });
        assertEquals(0, clock.elapsedMillis());
        finish(3);
    }

    @Test
    void timeout_negative_throws() {
        run(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(-1), () -> "x");
                expectUnreached();
            } catch (IllegalArgumentException thrown) {
                assertEquals("Asyncio.timeout: timeout is negative: PT-0.001S", thrown.getMessage());
            }
            finish(1);
        });
    }

    @Test
    void time_outsideALoop_throws() {
        IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, Asyncio::time);
        assertEquals("Asyncio.time needs a running event loop on this thread: call it from code started with Asyncio.run(...)",
                thrown.getMessage());
        finish(1);
    }

    @Test
    void timeout_aroundAQueueGet_expiresWithoutTakingAnItem() {
        io.jasyncio.sync.Queue<String> queue = new io.jasyncio.sync.Queue<>(0);
        runInVirtualTime(() -> {
            Task<String> late = Asyncio.createTask(() -> {
                Asyncio.sleep(10);
                queue.put("item"); // handed to the parked getter, which has not run when its deadline fires
                return "put";
            });
            Asyncio.sleep(10); // wakes just before the producer, in the same step
            try {
                Asyncio.timeout(Duration.ZERO, () -> queue.get());
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            assertEquals("put", late.await());
            assertEquals("item", queue.get(), "the item handed to the getter that timed out was not lost");
            return null;
        });
        finish(2);
    }

    /** The park a timeout cancels: one level below the body. */
    @Async
    static void parkForAnHour() {
        Asyncio.sleep(Duration.ofHours(1));
    }

    /** Calls {@code Asyncio.timeout} one level below the task's body. */
    @Async
    static void giveItAMillisecond(List<StackTraceElement[]> traces) throws TimeoutException {
        Asyncio.timeout(Duration.ofMillis(1), () -> {
            try {
                parkForAnHour();
            } catch (CancellationException cancelled) {
                traces.add(cancelled.getStackTrace());
                throw cancelled;
            }
        });
    }

    private static List<String> methods(StackTraceElement[] trace) {
        List<String> methods = new ArrayList<>();
        for (StackTraceElement element : trace) {
            methods.add(element.getMethodName());
        }
        return methods;
    }

    @Test
    void timeout_tracesOfTheCancellationAndTheTimeout_areTheirAsyncChains_withoutTheLoop() {
        List<StackTraceElement[]> traces = new ArrayList<>();
        runInVirtualTime(() -> {
            try {
                giveItAMillisecond(traces);
                expectUnreached();
            } catch (TimeoutException timeout) {
                expect(1);
                assertEquals("Asyncio.timeout: the body did not finish within PT0.001S; it was cancelled",
                        timeout.getMessage());
                traces.add(timeout.getStackTrace());
            }
            return null;
        });
        // The body's cancellation, from where it was parked out to the body; the timeout, from
        // the call of Asyncio.timeout out: each element a line of the test's own code.
        List<String> cancellation = methods(traces.get(0));
        assertEquals("parkForAnHour", cancellation.get(0), cancellation.toString());
        assertTrue(cancellation.get(1).startsWith("lambda$giveItAMillisecond$"), cancellation.toString());
        List<String> timeout = methods(traces.get(1));
        assertEquals("giveItAMillisecond", timeout.get(0), timeout.toString());
        for (StackTraceElement[] trace : traces) {
            for (StackTraceElement element : trace) {
                assertEquals(TimeoutIT.class.getName(), element.getClassName(), List.of(trace).toString());
                assertTrue(element.getLineNumber() > 0, element.toString());
            }
        }
        finish(2);
    }
}
