package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code Task.toCompletableFuture} and {@code Loop.submit}: tasks seen from other threads. */
class ToCompletableFutureIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void future_awaitedFromEightThreadsAtOnce_eachGetsTheResult() {
        int threads = 8;
        ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<Integer> task = Asyncio.createTask(() -> {
                Asyncio.sleep(100);
                return 42;
            });
            CompletableFuture<Integer> future = task.toCompletableFuture();
            CountDownLatch done = new CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                boolean useJoin = i % 2 == 0;
                new Thread(() -> {
                    try {
                        seen.add(useJoin ? future.join() : future.get(BOUND.toSeconds(), TimeUnit.SECONDS));
                    } catch (Exception e) {
                        seen.add(e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            assertEquals(42, task.await());
            Asyncio.toThread(() -> {
                done.await();
                return null;
            });
        }));
        assertEquals(threads, seen.size());
        for (Object result : seen) {
            assertEquals(42, result);
        }
        finish(1);
    }

    @Test
    void future_whileTheTaskRuns_makesNoTaskAndCompletesOnTheLoopThread() {
        Thread[] completedOn = new Thread[1];
        runInVirtualTime(() -> {
            Task<String> task = Asyncio.createTask(() -> {
                Asyncio.sleep(10);
                return "done";
            });
            CompletableFuture<String> future = task.toCompletableFuture();
            CompletableFuture<String> another = task.toCompletableFuture();
            future.whenComplete((result, failure) -> completedOn[0] = Thread.currentThread());
            Asyncio.sleep(1);
            assertEquals(List.of(Asyncio.currentTask(), task), new ArrayList<>(Asyncio.allTasks()),
                    "no watcher task for the futures");
            assertEquals("done", task.await());
            assertTrue(future.isDone() && another.isDone(), "completed as the task ended");
            assertEquals(Thread.currentThread(), completedOn[0]);
            assertEquals("done", another.join());
            return null;
        });
        finish(1);
    }

    @Test
    void future_ofAFailedTask_completesExceptionallyWithTheFailureAsItIs_andCountsAsRetrieved() {
        IOException failure = new IOException("task failed");
        CompletableFuture<?> future = runInVirtualTime(() -> {
            Task<Object> task = Asyncio.createTask(() -> {
                Asyncio.sleep(1);
                throw failure;
            });
            CompletableFuture<Object> result = task.toCompletableFuture();
            Asyncio.sleep(5);
            return result;
        }); // the after-each check fails if the failure was reported as never retrieved
        ExecutionException viaGet = assertThrows(ExecutionException.class, future::get);
        assertSame(failure, viaGet.getCause());
        CompletionException viaJoin = assertThrows(CompletionException.class, future::join);
        assertSame(failure, viaJoin.getCause());
        finish(1);
    }

    @Test
    void future_ofATaskThatEndedAlready_completeAtOnce() {
        run(() -> {
            Task<String> task = Asyncio.createTask(() -> "early");
            Task<Void> cancelled = Asyncio.createTask(() -> expectUnreached());
            cancelled.cancel();
            Asyncio.sleep(Duration.ZERO);
            CompletableFuture<String> future = task.toCompletableFuture();
            assertTrue(future.isDone());
            assertEquals("early", future.join());
            assertTrue(cancelled.toCompletableFuture().isCancelled());
            finish(1);
        });
    }

    @Test
    void future_cancelledFromAnotherThread_cancelsTheTask() {
        List<String> log = new ArrayList<>();
        CompletableFuture<?>[] future = new CompletableFuture<?>[1];
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } finally {
                    log.add("task finally");
                }
            });
            Asyncio.sleep(Duration.ZERO); // the task starts: its finally block will run
            future[0] = task.toCompletableFuture();
            new Thread(() -> future[0].cancel(true)).start();
            try {
                task.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertTrue(task.isCancelled());
                assertEquals(List.of("task finally"), log);
            }
        }));
        assertTrue(future[0].isCancelled());
        finish(1);
    }

    @Test
    void future_completedByAnotherThread_cancelsTheTask() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<String> task = Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ofHours(1));
                return "slept";
            });
            CompletableFuture<String> future = task.toCompletableFuture();
            new Thread(() -> future.complete("decided elsewhere")).start();
            try {
                task.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertEquals("decided elsewhere", future.join());
                finish(1);
            }
        }));
    }

    @Test
    void future_ofACancelledTask_isCancelled() {
        CompletableFuture<?> future = run(() -> {
            Task<Void> task = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
            CompletableFuture<Void> result = task.toCompletableFuture();
            Asyncio.sleep(Duration.ZERO);
            task.cancel();
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            return result;
        });
        assertTrue(future.isCancelled());
        assertThrows(CancellationException.class, future::join);
        finish(1);
    }

    @Test
    void toCompletableFuture_onAnotherThread_throws() {
        Task<?> task = run(() -> {
            Task<String> created = Asyncio.createTask(() -> {
                Asyncio.sleep(1);
                return "x";
            });
            IllegalStateException thrown = Asyncio.toThread(() -> assertThrows(IllegalStateException.class,
                    created::toCompletableFuture));
            assertTrue(thrown.getMessage().startsWith("Task.toCompletableFuture must be called on the event loop's thread"),
                    thrown.getMessage());
            created.await();
            return created;
        });
        assertTrue(task.isDone());
        finish(1);
    }

    @Test
    void submit_fromAnotherThread_runsTheBodyAsATaskOfTheLoop() {
        String result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Loop loop = Asyncio.runningLoop();
            Thread loopThread = Thread.currentThread();
            CompletableFuture<String> relayed = new CompletableFuture<>();
            new Thread(() -> {
                try {
                    String answer = loop.submit(() -> {
                        Asyncio.sleep(1);
                        assertSame(loopThread, Thread.currentThread());
                        return "submitted " + Asyncio.currentTask().name();
                    }).get(BOUND.toSeconds(), TimeUnit.SECONDS);
                    relayed.complete(answer);
                } catch (Exception e) {
                    relayed.completeExceptionally(e);
                }
            }).start();
            return Asyncio.await(relayed);
        }));
        assertTrue(result.startsWith("submitted Task-"), result);
        finish(1);
    }

    @Test
    void submit_failingBody_futureFailsAndNothingIsReportedAsLost() {
        IllegalStateException failure = new IllegalStateException("submitted body failed");
        CompletableFuture<?>[] future = new CompletableFuture<?>[1];
        runInVirtualTime(() -> {
            future[0] = Asyncio.runningLoop().submit(() -> {
                throw failure;
            });
            Asyncio.sleep(1);
            return null;
        });
        assertSame(failure, assertThrows(ExecutionException.class, future[0]::get).getCause());
        finish(1);
    }

    @Test
    void submit_futureCancelledBeforeTheLoopTookIt_bodyNeverRuns() {
        CompletableFuture<?>[] future = new CompletableFuture<?>[1];
        runInVirtualTime(() -> {
            future[0] = Asyncio.runningLoop().submit(() -> {
                expectUnreached();
                return null;
            });
            future[0].cancel(false); // in the same step: the loop has not taken the submission yet
            Asyncio.sleep(1);
            finish(1);
            return null;
        });
        assertTrue(future[0].isCancelled());
    }
}
