package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code Asyncio.sleep} on an idle loop, in real time: never returns before its deadline, and
 * usually well within 1 ms after it. The loop parks its thread with {@code LockSupport.parkNanos}
 * when no channel is watched, not a millisecond {@code select} timeout. The median is asserted,
 * not the worst case, so that a busy machine delaying a few wake-ups does not fail the test.
 */
class SleepPrecisionIT extends AsyncTestBase {
    private static final int SLEEPS = 50;
    private static final long DELAY_NANOS = 3_000_000;

    @Test
    void sleep_onAnIdleLoop_neverEarlyAndMedianLatenessUnderOneMillisecond() {
        long[] lateness = run(() -> {
            long[] late = new long[SLEEPS];
            for (int i = 0; i < SLEEPS; i++) {
                long start = Asyncio.time();
                Asyncio.sleep(3);
                late[i] = Asyncio.time() - start - DELAY_NANOS;
            }
            return late;
        });
        for (long late : lateness) {
            assertTrue(late >= 0, "a sleep returned " + -late + " ns before its deadline");
        }
        long[] sorted = lateness.clone();
        Arrays.sort(sorted);
        long median = sorted[SLEEPS / 2];
        System.out.println("SleepPrecisionIT: lateness of sleep(3 ms) on an idle loop: median " + median / 1_000
                + " us, max " + sorted[SLEEPS - 1] / 1_000 + " us");
        assertTrue(median < 1_000_000, "median lateness " + median + " ns; all: " + Arrays.toString(lateness));
        finish(1);
    }
}
