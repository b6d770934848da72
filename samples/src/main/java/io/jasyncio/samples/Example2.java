package io.jasyncio.samples;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;

/**
 * The seed's Example 2: one coroutine calls another twice in a row. The second call starts only
 * when the first has returned, so the program takes 1 + 2 = about 3 seconds.
 */
public final class Example2 {
    private Example2() {}

    /** Runs the sample; takes about three seconds. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Stopwatch stopwatch = Stopwatch.start();
            sayAfter(Duration.ofSeconds(1), "hello");
            sayAfter(Duration.ofSeconds(2), "world");
            stopwatch.printElapsed();
        });
    }

    /** Sleeps for {@code delay}, then prints {@code what}. */
    @Async
    static void sayAfter(Duration delay, String what) {
        Asyncio.sleep(delay);
        System.out.println(what);
    }
}
