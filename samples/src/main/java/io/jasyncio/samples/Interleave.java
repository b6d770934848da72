package io.jasyncio.samples;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;

/**
 * The seed's interleaved generators: two coroutines that each give way to the other after every
 * line with {@code sleep(Duration.ZERO)} (the seed's bare {@code yield}). Ready tasks run first-in
 * first-out, so the output is always {@code A X B Y C Z}.
 */
public final class Interleave {
    private Interleave() {}

    /** Runs the sample; takes no measurable time. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Stopwatch stopwatch = Stopwatch.start();
            Task<Void> first = Asyncio.createTask(Interleave::abc);
            Task<Void> second = Asyncio.createTask(Interleave::xyz);
            first.await();
            second.await();
            stopwatch.printElapsed();
        });
    }

    @Async
    static void abc() {
        System.out.println("A");
        Asyncio.sleep(Duration.ZERO);
        System.out.println("B");
        Asyncio.sleep(Duration.ZERO);
        System.out.println("C");
    }

    @Async
    static void xyz() {
        System.out.println("X");
        Asyncio.sleep(Duration.ZERO);
        System.out.println("Y");
        Asyncio.sleep(Duration.ZERO);
        System.out.println("Z");
    }
}
