package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Loops on several threads at once stay apart: each task finds its own thread's loop (the
 * one-field cache in front of the thread-local must never hand out another thread's loop).
 */
class ConcurrentLoopsTest {
    private static final int THREADS = 4;
    private static final int RUNS = 300;

    private static HandWoven.Step yieldOnce() {
        return previous -> {
            Asyncio.sleep(Duration.ZERO);
            return null;
        };
    }

    /** One run: three tasks interleave by yielding; returns the order they ran in. */
    private static String interleave() {
        StringBuilder order = new StringBuilder();
        EventLoop[] loops = new EventLoop[2];
        String result = EventLoop.run(newLoop -> {
            loops[0] = newLoop;
            return (TaskCore) Asyncio.createTask(HandWoven.body()
                    .step(previous -> {
                        List<Task<?>> tasks = new ArrayList<>();
                        for (String name : List.of("a", "b", "c")) {
                            tasks.add(Asyncio.createTask(HandWoven.body()
                                    .then(() -> order.append(name))
                                    .step(previous2 -> {
                                        Asyncio.sleep(Duration.ZERO);
                                        return null;
                                    })
                                    .then(() -> {
                                        loops[1] = EventLoop.current();
                                        order.append(name.toUpperCase());
                                    })));
                        }
                        return tasks;
                    })
                    .step(tasks -> ((List<?>) tasks).get(0))
                    .step(first -> ((Task<?>) first).await())
                    .repeatWhile(() -> !order.toString().equals("abcABC"), yieldOnce())
                    .step(previous -> order.toString()));
        });
        if (loops[0] != loops[1]) {
            throw new AssertionError("a task saw another loop than its own: " + loops[1]
                    + (loops[1] == null ? "" : " of thread " + loops[1].thread.getName() + " closed " + loops[1].leftovers())
                    + ", on thread " + Thread.currentThread().getName());
        }
        return result;
    }

    @Test
    void run_onSeveralThreadsAtOnce_eachTaskSeesItsOwnLoop() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                results.add(pool.submit(() -> {
                    List<String> orders = new ArrayList<>();
                    for (int run = 0; run < RUNS; run++) {
                        orders.add(interleave());
                        assertNull(EventLoop.current());
                    }
                    return orders;
                }));
            }
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (Future<List<String>> result : results) {
                    for (String order : result.get()) {
                        assertEquals("abcABC", order);
                    }
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }
}
