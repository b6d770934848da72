package io.jasyncio.samples;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;

/**
 * The seed's Example 3: the same two calls as {@link Example2}, each in a task of its own. Both
 * tasks sleep at the same time, so the program takes max(1, 2) = about 2 seconds.
 */
public final class Example3 {
    private Example3() {}

    /** Runs the sample; takes about two seconds. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Stopwatch stopwatch = Stopwatch.start();
            Task<Void> t0 = Asyncio.createTask(() -> Example2.sayAfter(Duration.ofSeconds(1), "hello"));
            Task<Void> t1 = Asyncio.createTask(() -> Example2.sayAfter(Duration.ofSeconds(2), "goodbye"));
            t0.await();
            t1.await();
            stopwatch.printElapsed();
        });
    }
}
