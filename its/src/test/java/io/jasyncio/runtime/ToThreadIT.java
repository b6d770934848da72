package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.toThread}: blocking work on other threads while the loop runs on. */
class ToThreadIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void toThread_returnsTheResult_computedOnAnotherThread() {
        int result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Thread caller = Thread.currentThread();
            Thread worker = Asyncio.toThread(Thread::currentThread);
            assertNotSame(caller, worker);
            assertTrue(worker.isDaemon());
            assertTrue(worker.getName().startsWith("jasyncio-to-thread-"), worker.getName());
            int answer = Asyncio.toThread(() -> 6 * 7);
            return answer;
        }));
        assertEquals(42, result);
        finish(1);
    }

    @Test
    void toThread_otherTasksRunWhileTheWorkBlocks() {
        CountDownLatch tickerRan = new CountDownLatch(1);
        String result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Asyncio.createTask(() -> {
                expect(1);
                tickerRan.countDown();
            });
            // the work waits for a task of the loop: it only ends if the loop goes on meanwhile
            String answer = Asyncio.toThread(() -> {
                tickerRan.await();
                return "unblocked";
            });
            expect(2);
            return answer;
        }));
        assertEquals("unblocked", result);
        finish(3);
    }

    @Test
    void toThread_uncheckedFailure_thrownAsIs() {
        IllegalArgumentException failure = new IllegalArgumentException("bad input");
        run(() -> {
            try {
                Asyncio.toThread(() -> {
                    throw failure;
                });
                expectUnreached();
            } catch (IllegalArgumentException caught) {
                assertSame(failure, caught);
                finish(1);
            }
        });
    }

    @Test
    void toThread_checkedFailure_wrappedInCompletionException() {
        IOException failure = new IOException("disk gone");
        run(() -> {
            try {
                Asyncio.toThread(() -> {
                    throw failure;
                });
                expectUnreached();
            } catch (CompletionException caught) {
                assertSame(failure, caught.getCause());
                finish(1);
            }
        });
    }

    @Test
    void toThread_nothingElseToWaitFor_noDeadlockReported() {
        long slept = assertTimeoutPreemptively(BOUND, () -> run(() -> Asyncio.toThread(() -> {
            Thread.sleep(200); // the loop has no task ready, no timer, no channel meanwhile
            return 200L;
        })));
        assertEquals(200L, slept);
        finish(1);
    }

    @Test
    void toThread_manyConcurrentCalls_eachGetsItsOwnResult() {
        int calls = 200;
        List<Integer> results = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int number = i;
                tasks.add(Asyncio.createTask(() -> {
                    int square = Asyncio.toThread(() -> {
                        Thread.sleep(1);
                        return number * number;
                    });
                    return square + 1;
                }));
            }
            return Asyncio.gather(tasks);
        }));
        for (int i = 0; i < calls; i++) {
            assertEquals(i * i + 1, results.get(i));
        }
        finish(1);
    }

    @Test
    void toThread_withAnExecutor_runsThere() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(work -> new Thread(work, "my-executor"));
        try {
            String name = assertTimeoutPreemptively(BOUND, () -> run(() -> Asyncio.toThread(
                    () -> Thread.currentThread().getName(), executor)));
            assertEquals("my-executor", name);
        } finally {
            executor.shutdown();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertThrows(RejectedExecutionException.class, () -> run(() -> Asyncio.toThread(() -> "never", executor)));
        finish(1);
    }

    @Async
    String cancelledWhileTheWorkRuns(CountDownLatch started, List<String> log) {
        try {
            return Asyncio.toThread(() -> {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofHours(1).toMillis());
                    return "slept an hour";
                } catch (InterruptedException interrupted) {
                    Thread.sleep(100); // cleans up for a while: the task must wait for it
                    log.add("work interrupted and done");
                    throw interrupted;
                }
            });
        } finally {
            log.add("task finally");
        }
    }

    @Test
    void cancel_whileTheWorkRuns_interruptsItAndWaitsForItToEnd() {
        List<String> log = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<String> task = Asyncio.createTask(() -> cancelledWhileTheWorkRuns(started, log));
            Asyncio.toThread(() -> {
                started.await();
                return null;
            });
            assertTrue(task.cancel());
            try {
                task.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals(List.of("work interrupted and done", "task finally"), log);
                assertTrue(task.isCancelled());
                assertEquals(0, expected.getSuppressed().length, "an InterruptedException is not worth suppressing");
                finish(1);
            }
        }));
    }

    @Test
    void cancel_workThatFailsOtherwise_failureSuppressedInTheCancellation() {
        CountDownLatch started = new CountDownLatch(1);
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<String> task = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofHours(1).toMillis());
                    return "slept";
                } catch (InterruptedException interrupted) {
                    throw new IllegalStateException("failed while interrupted");
                }
            }));
            Asyncio.toThread(() -> {
                started.await();
                return null;
            });
            task.cancel();
            try {
                task.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals(1, expected.getSuppressed().length);
                assertEquals("failed while interrupted", expected.getSuppressed()[0].getMessage());
                finish(1);
            }
        }));
    }

    @Test
    void cancel_beforeTheWorkStarted_resumesAtOnceAndTheWorkNeverRuns() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean secondRan = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(BOUND, () -> run(() -> {
                // the executor's only thread is busy, so the second job waits in its queue
                Task<Object> blocker = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    release.await();
                    return null;
                }, executor));
                Task<Object> queued = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    secondRan.set(true);
                    return null;
                }, executor));
                Asyncio.sleep(Duration.ZERO);
                queued.cancel();
                try {
                    queued.await(); // resumes while the blocker's work still runs
                    expectUnreached();
                } catch (CancellationException expected) {
                    expect(1);
                }
                release.countDown();
                blocker.await();
            }));
        } finally {
            executor.shutdown();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertFalse(secondRan.get(), "a cancelled job that had not started never runs its work");
        finish(2);
    }

    /**
     * One thread running jobs in turn that, unlike {@code ThreadPoolExecutor}, does not clear
     * its interrupt flag between jobs: it records whether a job left it set.
     */
    private static final class OneThreadExecutor implements Executor {
        private static final Runnable STOP = () -> { };
        private final LinkedBlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();
        private final Thread thread = new Thread(this::work, "one-thread-executor");
        private volatile boolean interruptLeft;

        OneThreadExecutor() {
            thread.start();
        }

        private void work() {
            for (;;) {
                Runnable job;
                try {
                    job = jobs.take();
                } catch (InterruptedException leftByAJob) {
                    interruptLeft = true;
                    continue;
                }
                if (job == STOP) {
                    return;
                }
                job.run();
                if (Thread.interrupted()) {
                    interruptLeft = true;
                }
            }
        }

        @Override
        public void execute(Runnable job) {
            jobs.add(job);
        }

        void stop() throws InterruptedException {
            jobs.add(STOP);
            thread.join(BOUND.toMillis());
        }
    }

    @Test
    void cancel_interruptSentToTheWorker_clearedBeforeTheThreadRunsAnythingElse() throws InterruptedException {
        OneThreadExecutor executor = new OneThreadExecutor();
        CountDownLatch started = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(BOUND, () -> run(() -> {
                Task<Object> task = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    started.countDown();
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.onSpinWait(); // returns normally once interrupted, leaving the flag set
                    }
                    return "ignored the interrupt";
                }, executor));
                Asyncio.toThread(() -> {
                    started.await();
                    return null;
                });
                task.cancel();
                try {
                    task.await();
                    expectUnreached();
                } catch (CancellationException expected) {
                    expect(1); // cancellation wins over the result of work that went on
                }
            }));
        } finally {
            executor.stop();
        }
        assertFalse(executor.interruptLeft, "the interrupt sent to cancel the work was cleared by the job");
        finish(2);
    }

    @Test
    void run_leftoverTaskInToThread_runWaitsForTheWorkBeforeReturning() {
        AtomicBoolean workEnded = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Asyncio.createTask(() -> Asyncio.toThread(() -> {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofHours(1).toMillis());
                } finally {
                    Thread.sleep(100);
                    workEnded.set(true);
                }
                return null;
            }));
            Asyncio.toThread(() -> {
                started.await();
                return null;
            });
        })); // main ends: the leftover task is cancelled, its work interrupted and waited for
        assertTrue(workEnded.get());
        finish(1);
    }

    @Test
    void run_ends_defaultExecutorThreadsEnd() throws InterruptedException {
        Thread worker = assertTimeoutPreemptively(BOUND, () -> run(() -> Asyncio.toThread(Thread::currentThread)));
        worker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(worker.isAlive(), "the default executor is shut down when run ends");
        finish(1);
    }

    @Test
    void toThread_fromManyLoopsAtOnce_eachLoopGetsItsOwnResults() throws InterruptedException {
        int loops = 4;
        ConcurrentLinkedQueue<String> results = new ConcurrentLinkedQueue<>();
        AtomicInteger failures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            int number = i;
            Thread thread = new Thread(() -> {
                try {
                    results.add(Asyncio.run(() -> {
                        String first = Asyncio.toThread(() -> "loop " + number);
                        Asyncio.sleep(1);
                        return first + " again " + Asyncio.toThread(() -> number);
                    }));
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(BOUND.toMillis());
        }
        assertEquals(0, failures.get());
        assertEquals(loops, results.size());
        for (int i = 0; i < loops; i++) {
            assertTrue(results.contains("loop " + i + " again " + i), results.toString());
        }
        finish(1);
    }
}
