package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Event;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Virtual time under {@link AsyncTest}: auto-advance, advanceBy, runUntilIdle, timeouts, and refused real I/O. */
class VirtualTimeTest {

    @AsyncTest
    @Async
    void sleep_ofADay_returnsAtOnce() {
        long realStart = System.nanoTime();
        Asyncio.sleep(Duration.ofHours(24));
        assertEquals(Duration.ofHours(24), AsyncTesting.clock().now());
        // generous: a day of real time would never end; a minute only fails on a broken clock
        assertTrue(System.nanoTime() - realStart < TimeUnit.MINUTES.toNanos(1), "virtual sleep took real time");
    }

    @AsyncTest
    @Async
    void advanceBy_withAutoAdvanceOff_firesEachTimerAtItsOwnInstant() {
        VirtualClock clock = AsyncTesting.clock();
        clock.setAutoAdvance(false);
        List<Duration> woke = new ArrayList<>();
        Task<Void> sleeper = Asyncio.createTask(() -> {
            Asyncio.sleep(Duration.ofSeconds(1));
            woke.add(AsyncTesting.clock().now());
            Asyncio.sleep(Duration.ofMillis(1500));
            woke.add(AsyncTesting.clock().now());
        });
        AsyncTesting.advanceBy(Duration.ofMillis(500));
        assertEquals(List.of(), woke);
        AsyncTesting.advanceBy(Duration.ofMillis(2500));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofMillis(2500)), woke);
        assertEquals(Duration.ofSeconds(3), clock.now());
        assertTrue(sleeper.isDone());
    }

    @AsyncTest
    @Async
    void runUntilIdle_runsEveryReadyTask_withoutMovingTime() {
        List<String> log = new ArrayList<>();
        Asyncio.createTask(() -> {
            for (int i = 0; i < 5; i++) {
                Asyncio.sleep(Duration.ZERO);
            }
            log.add("yielder done");
        });
        Task<Void> sleeper = Asyncio.createTask(() -> {
            log.add("sleeper parked");
            Asyncio.sleep(Duration.ofMinutes(1));
        });
        AsyncTesting.runUntilIdle();
        assertEquals(List.of("sleeper parked", "yielder done"), log);
        assertEquals(Duration.ZERO, AsyncTesting.clock().now());
        sleeper.cancel();
        AsyncTesting.runUntilIdle();
    }

    @AsyncTest
    @Async
    void realIo_underVirtualTime_isRefused() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            IllegalStateException refused = null;
            try {
                Asyncio.receive(channel, ByteBuffer.allocate(16));
            } catch (IllegalStateException e) {
                refused = e;
            }
            assertNotNull(refused, "receive under virtual time was not refused");
            assertTrue(refused.getMessage().contains("virtual clock"), refused.getMessage());
            assertTrue(refused.getMessage().contains("simulated network"), refused.getMessage());
        }
    }

    @Test
    void autoAdvanceOff_withEveryTaskOnATimer_failsInsteadOfJumping() {
        Throwable failure = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1), 0, () -> {
            AsyncTesting.clock().setAutoAdvance(false);
            Asyncio.sleep(Duration.ofSeconds(1));
        });
        assertNotNull(failure);
        assertTrue(failure.getMessage().contains("auto-advance is off"), failure.getMessage());
    }

    @Test
    void timeout_inVirtualTime_cancelsTheTest_andDumpsItsTasks() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, 1_000, 10_000_000, true);
        long realStart = System.nanoTime();
        Throwable failure = AsyncTestRunner.runSchedule(settings, 0, () -> Asyncio.sleep(Duration.ofHours(1)));
        assertNotNull(failure);
        assertTrue(failure.getMessage().startsWith("the test timed out after PT1S of virtual time"), failure.getMessage());
        assertTrue(failure.getMessage().contains("test"), failure.getMessage()); // the dump names the main task
        assertTrue(System.nanoTime() - realStart < TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    void timeout_inRealTime_cancelsTheTest() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, 50, 10_000_000, false);
        Throwable failure = AsyncTestRunner.runSchedule(settings, 0, () -> Asyncio.sleep(Duration.ofHours(1)));
        assertNotNull(failure);
        assertTrue(failure.getMessage().startsWith("the test timed out after PT0.05S (@AsyncTest"), failure.getMessage());
    }

    @Test
    void tasksYieldingForEver_areStoppedByTheStepBound() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, 0, 1_000, true);
        Throwable failure = AsyncTestRunner.runSchedule(settings, 0, () -> {
            for (;;) {
                Asyncio.sleep(Duration.ZERO);
            }
        });
        assertNotNull(failure);
        assertTrue(failure.getMessage().contains("more than 1000 loop steps"), failure.getMessage());
    }

    @Test
    void sleepWithinTheTimeout_passes() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, 1_000, 10_000_000, true);
        assertNull(AsyncTestRunner.runSchedule(settings, 0, () -> Asyncio.sleep(Duration.ofMillis(999))));
    }

    @Test
    void deadlock_underVirtualTime_isReportedAsOne_notAsATimeout() {
        Throwable failure = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1), 0, () -> {
            Event never = new Event();
            never.await();
        });
        assertNotNull(failure);
        assertTrue(failure.getMessage().startsWith("deadlock"), failure.getMessage());
    }

    @Test
    void deadlock_inRealTime_isReportedAtOnce_notAfterTheTimeout() {
        AsyncTestRunner.Settings settings = new AsyncTestRunner.Settings(0, 1, 600_000, 10_000_000, false);
        long realStart = System.nanoTime();
        Throwable failure = AsyncTestRunner.runSchedule(settings, 0, () -> new Event().await());
        assertNotNull(failure);
        assertTrue(failure.getMessage().startsWith("deadlock"), failure.getMessage());
        assertTrue(System.nanoTime() - realStart < TimeUnit.MINUTES.toNanos(5), "waited for the timeout");
    }

    @AsyncTest
    @Async
    void jump_movesTheClockAtOnce_andDueTimersWakeAtTheNextStep() {
        VirtualClock clock = AsyncTesting.clock();
        List<Duration> woke = new ArrayList<>();
        Asyncio.createTask(() -> {
            Asyncio.sleep(Duration.ofMinutes(30));
            woke.add(AsyncTesting.clock().now());
            return null;
        });
        AsyncTesting.runUntilIdle();
        clock.jump(Duration.ofHours(1));
        assertEquals(Duration.ofHours(1), clock.now());
        assertEquals(List.of(), woke);
        AsyncTesting.runUntilIdle();
        assertEquals(List.of(Duration.ofHours(1)), woke); // one jump: the timer saw only its end
        assertThrows(IllegalArgumentException.class, () -> clock.jump(Duration.ofSeconds(-1)));
    }
}
