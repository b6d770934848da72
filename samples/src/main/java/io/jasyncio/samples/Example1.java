package io.jasyncio.samples;

import io.jasyncio.Asyncio;
import java.time.Duration;

/**
 * The seed's Example 1: print {@code hello}, sleep one second without blocking the loop, print
 * {@code world}. The body of {@code Asyncio.run} is a lambda, which counts as an {@code @Async}
 * body, so it may call {@code Asyncio.sleep}.
 */
public final class Example1 {
    private Example1() {}

    /** Runs the sample; takes about one second. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Stopwatch stopwatch = Stopwatch.start();
            System.out.println("hello");
            Asyncio.sleep(Duration.ofSeconds(1));
            System.out.println("world");
            stopwatch.printElapsed();
        });
    }
}
