package io.jasyncio.samples;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;

/** Two tasks that sleep at the same time. */
public class Hello {
    @Async
    static void sayAfter(Duration delay, String what) {
        Asyncio.sleep(delay);          // parks this task; the loop runs the others
        System.out.println(what);
    }

    /** Prints hello after one second and world after two. */
    public static void main(String[] args) {
        Asyncio.run(() -> {            // a lambda given to run or createTask is an @Async body
            Task<Void> hello = Asyncio.createTask(() -> sayAfter(Duration.ofSeconds(1), "hello"));
            Task<Void> world = Asyncio.createTask(() -> sayAfter(Duration.ofSeconds(2), "world"));
            hello.await();             // both tasks sleep at the same time:
            world.await();             // done after about 2 s, not 3
        });
    }
}
