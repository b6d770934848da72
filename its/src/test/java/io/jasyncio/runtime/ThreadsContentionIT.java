package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Thread interop under contention: 8 threads at once post callbacks, submit tasks that run work
 * on other threads, await futures those threads complete and hand results back through
 * {@code toCompletableFuture}, and cancel some of them; every piece of work is seen exactly once.
 */
@Tag("stress")
class ThreadsContentionIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final int THREADS = 8;
    private static final int ROUNDS = 300;

    @Test
    void eightThreadsMixingCallbacksSubmitsToThreadAwaitsAndCancels_everythingSeenOnce() {
        List<List<Integer>> callbacks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            callbacks.add(new ArrayList<>());
        }
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        int[] cancelledOnTheLoop = {0};
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Loop loop = Asyncio.runningLoop();
            Thread loopThread = Thread.currentThread();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    CallSoonThreadsafeIT.awaitQuietly(start);
                    List<CompletableFuture<Integer>> results = new ArrayList<>();
                    List<CompletableFuture<Integer>> cancelled = new ArrayList<>();
                    for (int i = 0; i < ROUNDS; i++) {
                        int round = i;
                        loop.callSoonThreadsafe(() -> {
                            if (Thread.currentThread() != loopThread) {
                                problems.add("a callback ran off the loop thread");
                            }
                            callbacks.get(thread).add(round);
                        });
                        CompletableFuture<Integer> external = new CompletableFuture<>();
                        results.add(loop.submit(() -> {
                            int doubled = Asyncio.toThread(() -> round * 2);
                            int given = Asyncio.await(external);
                            Task<Integer> child = Asyncio.createTask(() -> {
                                Asyncio.sleep(Duration.ZERO);
                                return doubled + given;
                            });
                            return Asyncio.await(child.toCompletableFuture());
                        }));
                        external.complete(round); // before or after the task awaits it: both happen
                        if (round % 10 == 0) {
                            CompletableFuture<Integer> sleeper = loop.submit(() -> {
                                try {
                                    Asyncio.sleep(Duration.ofHours(1));
                                    return -1;
                                } catch (CancellationException expected) {
                                    cancelledOnTheLoop[0]++;
                                    throw expected;
                                }
                            });
                            cancelled.add(sleeper);
                            if (round % 20 == 0) {
                                Thread.yield(); // let the loop start some of them before the cancel
                            }
                            sleeper.cancel(true);
                        }
                    }
                    for (int i = 0; i < ROUNDS; i++) {
                        int result = results.get(i).join();
                        if (result != i * 3) {
                            problems.add("thread " + thread + " round " + i + ": " + result);
                        }
                    }
                    for (CompletableFuture<Integer> future : cancelled) {
                        if (!future.isCancelled()) {
                            problems.add("a cancelled submission completed otherwise");
                        }
                    }
                }, "contender-" + t));
            }
            threads.forEach(Thread::start);
            start.countDown();
            Asyncio.toThread(() -> {
                for (Thread thread : threads) {
                    thread.join();
                }
                return null;
            });
            // the submitted sleepers that were started were cancelled by posts made before the
            // threads ended; give those cancels a step to be delivered before run ends
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
        }));
        assertEquals(List.of(), List.copyOf(problems));
        for (List<Integer> seen : callbacks) {
            assertEquals(ROUNDS, seen.size());
            for (int i = 0; i < ROUNDS; i++) {
                assertEquals(i, seen.get(i));
            }
        }
        assertTrue(cancelledOnTheLoop[0] <= THREADS * ROUNDS / 10, "a sleeper is cancelled at most once");
        finish(1);
    }
}
