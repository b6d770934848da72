package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.await(CompletionStage)}: futures completed by any thread, at any time. */
class AwaitStageIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** Completes {@code future} with {@code value} from a new thread, after {@code millis}. */
    private static <T> void completeLater(CompletableFuture<T> future, T value, long millis) {
        new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            future.complete(value);
        }).start();
    }

    @Test
    void await_completedAlready_returnsWithoutParking() {
        run(() -> {
            Asyncio.createTask(() -> expect(2)); // would run first if main parked
            expect(1);
            assertEquals("ready", Asyncio.await(CompletableFuture.completedFuture("ready")));
            assertEquals("minimal", Asyncio.await(CompletableFuture.completedStage("minimal")));
            Asyncio.sleep(Duration.ZERO);
            finish(3);
        });
    }

    @Test
    void await_completedLaterOnAnotherThread_resumesWithTheValue_noDeadlockReported() {
        String result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            completeLater(future, "from another thread", 200); // meanwhile no task, timer or channel
            return Asyncio.await(future);
        }));
        assertEquals("from another thread", result);
        finish(1);
    }

    @Test
    void await_stageThatIsNotAFuture_completedLater() {
        int result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            CompletableFuture<Integer> source = new CompletableFuture<>();
            CompletionStage<Integer> stage = source.minimalCompletionStage().thenApply(value -> value + 1);
            completeLater(source, 41, 50);
            int value = Asyncio.await(stage);
            return value;
        }));
        assertEquals(42, result);
        finish(1);
    }

    @Test
    void await_completedOnTheLoopThreadByAnotherTask() {
        String result = run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            Asyncio.createTask(() -> {
                Asyncio.sleep(1);
                future.complete("by a task");
            });
            return Asyncio.await(future);
        });
        assertEquals("by a task", result);
        finish(1);
    }

    @Test
    void await_failedWithUncheckedException_thrownAsIs() {
        IllegalStateException failure = new IllegalStateException("failed");
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            new Thread(() -> future.completeExceptionally(failure)).start();
            try {
                Asyncio.await(future);
                expectUnreached();
            } catch (IllegalStateException caught) {
                assertSame(failure, caught);
            }
            try {
                Asyncio.await(CompletableFuture.failedFuture(failure).thenApply(value -> value)); // wrapped by the dependent
                expectUnreached();
            } catch (IllegalStateException caught) {
                assertSame(failure, caught, "the CompletionException of a dependent stage is taken off");
                finish(1);
            }
        }));
    }

    @Test
    void await_failedWithCheckedException_wrappedInCompletionException() {
        IOException failure = new IOException("checked");
        run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            Asyncio.createTask(() -> future.completeExceptionally(failure));
            try {
                Asyncio.await(future);
                expectUnreached();
            } catch (CompletionException caught) {
                assertSame(failure, caught.getCause());
                finish(1);
            }
        });
    }

    @Test
    void await_futureCancelled_throwsCancellationException() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            new Thread(() -> future.cancel(false)).start();
            try {
                Asyncio.await(future);
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            try {
                Asyncio.await(future); // cancelled already: at once
                expectUnreached();
            } catch (CancellationException expected) {
                finish(2);
            }
        }));
    }

    @Test
    void cancel_ofTheWaiter_resumesItAtOnceAndCancelsTheFuture() {
        CompletableFuture<String> future = new CompletableFuture<>();
        run(() -> {
            Task<String> waiter = Asyncio.createTask(() -> Asyncio.await(future));
            Asyncio.sleep(Duration.ZERO);
            waiter.cancel();
            try {
                waiter.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(waiter.isCancelled());
        });
        assertTrue(future.isCancelled(), "the awaited future is cancelled with its waiter");
        finish(2);
    }

    @Test
    void cancel_ofAWaiterOfACopy_leavesTheOriginalRunning() {
        CompletableFuture<String> future = new CompletableFuture<>();
        run(() -> {
            Task<String> waiter = Asyncio.createTask(() -> Asyncio.await(future.copy()));
            Asyncio.sleep(Duration.ZERO);
            waiter.cancel();
            try {
                waiter.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
        });
        assertFalse(future.isDone());
        finish(2);
    }

    @Test
    void run_leftoverTaskAwaitingAFutureNobodyCompletes_cancelledWhenMainEnds() {
        CompletableFuture<String> future = new CompletableFuture<>();
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Asyncio.createTask(() -> Asyncio.await(future));
            Asyncio.sleep(Duration.ZERO);
        }));
        assertTrue(future.isCancelled());
        finish(1);
    }

    @Test
    void await_manyTasksOneFutureCompletedLater_allResume() {
        int total = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            CompletableFuture<Integer> future = new CompletableFuture<>();
            java.util.List<Task<Integer>> waiters = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int number = i;
                waiters.add(Asyncio.createTask(() -> {
                    int value = Asyncio.await(future);
                    return value + number;
                }));
            }
            completeLater(future, 1_000, 20);
            int sum = 0;
            for (int value : Asyncio.gather(waiters)) {
                sum += value;
            }
            return sum;
        }));
        assertEquals(100 * 1_000 + 99 * 100 / 2, total);
        finish(1);
    }
}
