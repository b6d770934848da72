package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.AsyncCallable;
import io.jasyncio.AsyncRunnable;
import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.Task;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.ManualClock;
import io.jasyncio.internal.TaskCore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A task's failure that nobody retrieved is reported, once, with the task's name and its async
 * stack trace, through the loop's exception handler, by the time {@code run} returns.
 */
class UnretrievedExceptionIT extends AsyncTestBase {
    private final List<Loop.ExceptionContext> reports = new ArrayList<>();

    /** Runs {@code main} with standard error captured; returns what was printed there. */
    private static String capturingStandardError(Runnable main) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /**
     * Like {@code Asyncio.run(main)} in virtual time, so that the order of timers never depends
     * on the machine's speed; the loop is not checked for leftovers after the test, as these
     * tests leave failures unretrieved on purpose.
     */
    private static <T> T runAlone(AsyncCallable<T> main) {
        return EventLoop.run(new ManualClock(5_000_000_000L), loop -> (TaskCore) Asyncio.createTask(main));
    }

    private static void runAlone(AsyncRunnable main) {
        EventLoop.run(new ManualClock(5_000_000_000L), loop -> (TaskCore) Asyncio.createTask(main));
    }

    /** Sets a handler that records every report. */
    private void recordReports() {
        Asyncio.runningLoop().setExceptionHandler((loop, context) -> reports.add(context));
    }

    @Async
    static void failDeepInside(String message) {
        Asyncio.sleep(1);
        throw new IllegalStateException(message);
    }

    /** {@link #failDeepInside(String)} as a body with a result, for named tasks. */
    @Async
    static Object failDeepInside(String message, Object unused) {
        failDeepInside(message);
        return unused;
    }

    @Async
    static void failAfterAYield(String message) {
        Asyncio.sleep(Duration.ZERO);
        throw new IllegalStateException(message);
    }

    @Async
    static void callFailing(String message) {
        Asyncio.sleep(Duration.ZERO);
        failDeepInside(message);
    }

    @Test
    void defaultHandler_printsTheTasksNameAndTheAsyncStackTraceToStandardError() {
        String printed = capturingStandardError(() -> runAlone(() -> {
            Asyncio.createTask("careless", () -> {
                callFailing("nobody looks");
                return null;
            });
            Asyncio.sleep(10);
        }));
        assertTrue(printed.startsWith("jasyncio: exception of task careless was never retrieved:\n"
                + "java.lang.IllegalStateException: nobody looks\n"), printed);
        int inner = printed.indexOf("at io.jasyncio.runtime.UnretrievedExceptionIT.failDeepInside(UnretrievedExceptionIT.java:");
        int outer = printed.indexOf("at io.jasyncio.runtime.UnretrievedExceptionIT.callFailing(UnretrievedExceptionIT.java:");
        assertTrue(inner > 0 && outer > inner, "the async stack trace names both @Async methods:\n" + printed);
        assertEquals(1, printed.split("was never retrieved", -1).length - 1, "reported once:\n" + printed);
        finish(1);
    }

    @Test
    void customHandler_getsOneReportPerLostFailure_withTheTaskAndTheException_andNothingIsPrinted() {
        Task<?>[] careless = new Task<?>[2];
        String printed = capturingStandardError(() -> runAlone(() -> {
            recordReports();
            careless[0] = Asyncio.createTask("first", () -> failDeepInside("first failure", null));
            careless[1] = Asyncio.createTask("second", () -> failDeepInside("second failure", null));
            Asyncio.sleep(10);
        }));
        assertEquals("", printed);
        assertEquals(2, reports.size(), reports.toString());
        for (int i = 0; i < 2; i++) {
            Loop.ExceptionContext report = reports.get(i);
            assertSame(careless[i], report.task());
            assertEquals("exception of task " + careless[i].name() + " was never retrieved", report.message());
            assertTrue(report.exception() instanceof IllegalStateException);
            assertEquals(i == 0 ? "first failure" : "second failure", report.exception().getMessage());
        }
        finish(1);
    }

    @Test
    void failureRetrievedAnyWay_notReported() {
        runAlone(() -> {
            recordReports();
            Task<Void> awaited = Asyncio.createTask(() -> failDeepInside("awaited"));
            Task<Void> resulted = Asyncio.createTask(() -> failDeepInside("result"));
            Task<Void> gathered = Asyncio.createTask(() -> failDeepInside("gathered"));
            Task<Void> asFuture = Asyncio.createTask(() -> failDeepInside("as a future"));
            asFuture.toCompletableFuture();
            Task<Void> endedThenAsFuture = Asyncio.createTask(() -> failDeepInside("ended, then as a future"));
            try {
                awaited.await();
            } catch (IllegalStateException expected) {
                expect(1);
            }
            assertTrue(resulted.isDone(), "its timer fell due with the awaited one's");
            try {
                resulted.result();
            } catch (IllegalStateException expected) {
                assertEquals("result", expected.getMessage());
                expect(2);
            }
            try {
                Asyncio.gather(gathered);
            } catch (IllegalStateException expected) {
                expect(3);
            }
            try {
                Asyncio.waitFor(Duration.ofSeconds(5), () -> {
                    failDeepInside("waited for");
                    return null;
                });
            } catch (IllegalStateException expected) {
                expect(4);
            }
            Asyncio.sleep(5);
            assertTrue(endedThenAsFuture.isDone());
            endedThenAsFuture.toCompletableFuture();
        });
        assertEquals(List.of(), reports);
        finish(5);
    }

    @Test
    void cancelledTaskNeverAwaited_notReported() {
        runAlone(() -> {
            recordReports();
            Task<Void> sleeper = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
            Asyncio.createTask(() -> Asyncio.sleep(Duration.ofHours(1))); // cancelled by run at the end
            Asyncio.sleep(Duration.ZERO);
            sleeper.cancel();
            Asyncio.sleep(Duration.ZERO);
        });
        assertEquals(List.of(), reports);
        finish(1);
    }

    @Test
    void mainsFailure_thrownByRunAndNotReported() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runAlone(() -> {
            recordReports();
            failDeepInside("main failed");
        }));
        assertEquals("main failed", thrown.getMessage());
        assertEquals(List.of(), reports);
        finish(1);
    }

    @Test
    void failureWhileTheLeftoversAreCancelled_reportedToo() {
        runAlone(() -> {
            recordReports();
            Asyncio.createTask("stubborn", () -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancellationException cancelled) {
                    throw new IllegalStateException("failed while cancelled");
                }
                return null;
            });
            Asyncio.sleep(Duration.ZERO);
        });
        assertEquals(1, reports.size());
        assertEquals("exception of task stubborn was never retrieved", reports.get(0).message());
        assertEquals("failed while cancelled", reports.get(0).exception().getMessage());
        finish(1);
    }

    @Test
    void deadlock_lostFailuresStillReportedBeforeRunThrows() {
        assertThrows(IllegalStateException.class, () -> runAlone(() -> {
            recordReports();
            Asyncio.createTask("careless", () -> failDeepInside("lost", null));
            Asyncio.sleep(5);
            new io.jasyncio.sync.Event().await(); // nothing will ever set it
        }));
        assertEquals(1, reports.size());
        assertEquals("lost", reports.get(0).exception().getMessage());
        finish(1);
    }

    @Test
    void handlerThatThrows_everyReportStillReachesStandardError() {
        String printed = capturingStandardError(() -> runAlone(() -> {
            Asyncio.runningLoop().setExceptionHandler((loop, context) -> {
                throw new UnsupportedOperationException("handler broken");
            });
            Asyncio.createTask("first", () -> failDeepInside("first failure", null));
            Asyncio.createTask("second", () -> failDeepInside("second failure", null));
            Asyncio.sleep(10);
        }));
        assertTrue(printed.contains("java.lang.UnsupportedOperationException: handler broken"), printed);
        assertTrue(printed.contains("jasyncio: exception of task first was never retrieved:\n"
                + "java.lang.IllegalStateException: first failure"), printed);
        assertTrue(printed.contains("jasyncio: exception of task second was never retrieved:\n"
                + "java.lang.IllegalStateException: second failure"), printed);
        finish(1);
    }

    @Test
    void handler_mayDelegateToTheDefault() {
        String printed = capturingStandardError(() -> runAlone(() -> {
            Asyncio.runningLoop().setExceptionHandler((loop, context) -> {
                System.err.println("custom first");
                loop.defaultExceptionHandler(context);
            });
            Asyncio.createTask("careless", () -> failDeepInside("lost", null));
            Asyncio.sleep(10);
        }));
        assertTrue(printed.startsWith("custom first\njasyncio: exception of task careless was never retrieved:\n"), printed);
        finish(1);
    }

    @Test
    void callbackThatThrows_reportedWithoutATask_andTheLoopGoesOn() {
        String result = runAlone(() -> {
            recordReports();
            Asyncio.runningLoop().callSoonThreadsafe(() -> {
                throw new IllegalArgumentException("callback failed");
            });
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            return "went on";
        });
        assertEquals("went on", result);
        assertEquals(1, reports.size());
        assertNull(reports.get(0).task());
        assertTrue(reports.get(0).message().startsWith("exception in callback "), reports.get(0).message());
        assertEquals("callback failed", reports.get(0).exception().getMessage());
        finish(1);
    }

    @Test
    void manyFailuresRetrieved_oneLost_onlyThatOneReportedOnce() {
        runAlone(() -> {
            recordReports();
            for (int i = 0; i < 5_000; i++) {
                Task<Void> failing = Asyncio.createTask(() -> failAfterAYield("retrieved"));
                if (i == 2_500) {
                    Asyncio.createTask("the lost one", () -> {
                        failAfterAYield("lost");
                        return null;
                    });
                }
                try {
                    failing.await();
                } catch (IllegalStateException expected) {
                    // retrieved
                }
            }
        });
        assertEquals(1, reports.size());
        assertEquals("the lost one", reports.get(0).task().name());
        finish(1);
    }

    @Test
    void timedOutBodyThatFailed_notReported() {
        runAlone(() -> {
            recordReports();
            try {
                Asyncio.waitFor(Duration.ofMillis(1), () -> {
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancellationException cancelled) {
                        throw new IllegalStateException("failed while cancelled");
                    }
                    return null;
                });
            } catch (TimeoutException expected) {
                assertEquals("failed while cancelled", expected.getCause().getMessage());
            }
        });
        assertEquals(List.of(), reports);
        finish(1);
    }
}
