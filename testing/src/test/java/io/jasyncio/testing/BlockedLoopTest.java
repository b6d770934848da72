package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A test that blocks its loop thread, which no step of the loop comes to stop, still ends: the
 * thread waiting for the loop's gives up after the real-time bound, with the blocked thread's
 * stack. The waits here are bounded generously; none checks how fast anything was.
 */
class BlockedLoopTest {
    /** Far beyond any bound below: a test that waits this long has hung. */
    private static final long HUNG_MILLIS = TimeUnit.MINUTES.toMillis(10);

    static class Blocking {
        static final CountDownLatch never = new CountDownLatch(1);

        @AsyncTest(realTimeoutMillis = 300)
        @Async
        void awaitsALatch_inVirtualTime() throws InterruptedException {
            Asyncio.sleep(Duration.ofHours(1));
            never.await(); // blocks the loop thread: no timer, no step
        }

        @AsyncTest(seed = 4, schedules = 3, realTimeoutMillis = 300)
        @Async
        void sleepsInASeededSearch() throws InterruptedException {
            Asyncio.sleep(Duration.ZERO);
            Thread.sleep(HUNG_MILLIS);
        }
    }

    @Test
    void aLatchBlockingTheLoopThread_inVirtualTime_failsTheTest_withWhereItBlocked() {
        FixtureRun run = FixtureRun.of(Blocking.class);
        String outcome = run.outcomes.get("awaitsALatch_inVirtualTime");
        assertTrue(outcome.startsWith("failed: java.lang.AssertionError: the loop thread jasyncio-test seed 0 was blocked "
                + "for PT0.3S of real time (@AsyncTest(realTimeoutMillis)): "), outcome);
        assertTrue(outcome.contains("CountDownLatch.await("), outcome);
        assertTrue(outcome.contains("\tat io.jasyncio.testing.BlockedLoopTest$Blocking.awaitsALatch_inVirtualTime("), outcome);
        assertFalse(outcome.contains("io.jasyncio.internal."), "the loop's own frames are left out of the message: " + outcome);
        assertFalse(outcome.contains("left running"), "the interrupt did not end it: " + outcome);
        Throwable failure = run.failures.get("awaitsALatch_inVirtualTime");
        assertTrue(Arrays.stream(failure.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("awaitsALatch_inVirtualTime")),
                "the failure's stack is not where the loop thread was: " + Arrays.toString(failure.getStackTrace()));
        // interrupted, the latch's await threw, and the run ended with that (wrapped, being checked)
        assertEquals(1, failure.getSuppressed().length, Arrays.toString(failure.getSuppressed()));
        Throwable end = failure.getSuppressed()[0];
        while (end.getCause() != null && !(end instanceof InterruptedException)) {
            end = end.getCause();
        }
        assertTrue(end instanceof InterruptedException, failure.getSuppressed()[0].toString());
    }

    @Test
    void aBlockedSeed_namesItsSeed_andEndsTheSearch() {
        FixtureRun run = FixtureRun.of(Blocking.class);
        String outcome = run.outcomes.get("sleepsInASeededSearch seed 4");
        assertTrue(outcome.startsWith("failed: java.lang.AssertionError: seed 4 failed (replay it with @AsyncTest(seed = 4)): "
                + "the loop thread jasyncio-test seed 4 was blocked for PT0.3S of real time"), outcome);
        assertTrue(outcome.contains("Thread.sleep("), outcome);
        assertTrue(outcome.contains("sleepsInASeededSearch("), outcome);
        assertEquals("skipped: not run: seed 4 failed (replay it with @AsyncTest(seed = 4))",
                run.outcomes.get("sleepsInASeededSearch seeds 5 to 6"));
    }

    @Test
    void threadSleep_inRealTime_failsPastTheBound_evenBeforeTheLoopsOwnTimeout() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, HUNG_MILLIS, 10_000_000, false)
                .withRealTimeoutMillis(300);
        Throwable failure = AsyncTestRunner.runSchedule(settings, 0, BlockedLoopTest::sleepsForAges);
        assertNotNull(failure);
        String message = failure.getMessage();
        assertTrue(message.startsWith("the loop thread jasyncio-test seed 0 was blocked for PT0.3S of real time"), message);
        assertTrue(message.contains("Thread.sleep("), message);
        assertTrue(message.contains("\tat io.jasyncio.testing.BlockedLoopTest.sleepsForAges("), message);
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt reached the caller");
    }

    @Async
    static void sleepsForAges() throws InterruptedException {
        Asyncio.sleep(Duration.ofMillis(1));
        Thread.sleep(HUNG_MILLIS);
    }

    private static volatile boolean spinning;

    /** A thread that ignores its interrupt is left behind as a daemon; here it stops once the test lets it. */
    @Test
    void aBusyLoopIgnoringTheInterrupt_isLeftBehindAsADaemon_andTheRunReturns() throws InterruptedException {
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        spinning = true;
        try {
            Throwable failure = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1).withRealTimeoutMillis(200), 0, () -> {
                loopThread.set(Thread.currentThread());
                while (spinning) {
                    Thread.onSpinWait();
                }
            });
            assertNotNull(failure);
            String message = failure.getMessage();
            assertTrue(message.startsWith("the loop thread jasyncio-test seed 0 was blocked for PT0.2S"), message);
            assertTrue(message.endsWith("\nIt did not end when interrupted: the thread is left running, as a daemon."), message);
            Thread thread = loopThread.get();
            assertTrue(thread.isAlive() && thread.isDaemon(), thread + " alive " + thread.isAlive());
            assertEquals("jasyncio-test seed 0", thread.getName());
        } finally {
            spinning = false;
        }
        Thread thread = loopThread.get();
        thread.join(HUNG_MILLIS);
        assertFalse(thread.isAlive(), "the spinning thread did not stop");
    }

    @Test
    void theLoopThread_getsTheCallersContextClassLoader() {
        ClassLoader own = new ClassLoader(getClass().getClassLoader()) {};
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        Thread.currentThread().setContextClassLoader(own);
        try {
            assertNull(AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1), 0, () -> {
                Asyncio.sleep(Duration.ZERO);
                seen.set(Thread.currentThread().getContextClassLoader());
            }));
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        assertSame(own, seen.get());
    }

    @Test
    void anInterruptedCaller_stopsWaiting_andInterruptsTheLoopThread() throws InterruptedException {
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread.currentThread().interrupt();
        Throwable failure = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1), 0, () -> {
            loopThread.set(Thread.currentThread());
            started.countDown();
            new CountDownLatch(1).await(); // ends when interrupted
        });
        assertTrue(Thread.interrupted(), "the caller's interrupt status was not kept");
        assertTrue(failure instanceof InterruptedException, String.valueOf(failure));
        assertTrue(started.await(HUNG_MILLIS, TimeUnit.MILLISECONDS));
        loopThread.get().join(HUNG_MILLIS);
        assertFalse(loopThread.get().isAlive(), "the loop thread was not interrupted");
    }

    @Test
    void realTimeBound_defaults() {
        assertEquals(Duration.ofSeconds(60), AsyncTestRunner.Settings.seeds(0, 1).realTimeBound());
        assertEquals(Duration.ofSeconds(40), new AsyncTestRunner.Settings(0, 1, 0, 1, false).realTimeBound());
        assertEquals(Duration.ofMillis(10_050), new AsyncTestRunner.Settings(0, 1, 50, 1, false).realTimeBound());
        assertEquals(Duration.ofMillis(5), AsyncTestRunner.Settings.seeds(0, 1).withRealTimeoutMillis(5).realTimeBound());
        assertEquals(Duration.ofMillis(5),
                new AsyncTestRunner.Settings(0, 1, 50, 1, false).withRealTimeoutMillis(5).realTimeBound());
    }
}
