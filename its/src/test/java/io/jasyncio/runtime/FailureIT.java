package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Exceptions through {@code await}, nested {@code @Async} calls and {@code run}, with woven code. */
class FailureIT extends AsyncTestBase {

    @Async
    static <T> T throwAfterAYield(Exception failure) throws Exception {
        Asyncio.sleep(Duration.ZERO);
        throw failure;
    }

    @Test
    void await_uncheckedFailure_thrownAsIs() {
        IllegalArgumentException failure = new IllegalArgumentException("boom");
        run(() -> {
            Task<Object> failing = Asyncio.createTask(() -> throwAfterAYield(failure));
            try {
                failing.await();
                expectUnreached();
            } catch (IllegalArgumentException caught) {
                assertSame(failure, caught);
                finish(1);
            }
        });
    }

    @Test
    void await_checkedFailure_wrappedInCompletionExceptionWithTheOriginalAsCause() {
        IOException failure = new IOException("disk on fire");
        run(() -> {
            Task<Object> failing = Asyncio.createTask(() -> throwAfterAYield(failure));
            try {
                failing.await();
                expectUnreached();
            } catch (CompletionException caught) {
                assertSame(failure, caught.getCause());
                finish(1);
            }
        });
    }

    @Test
    void await_error_thrownAsIs() {
        AssertionError failure = new AssertionError("broken invariant");
        run(() -> {
            Task<Void> failing = Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ZERO);
                throw failure;
            });
            try {
                failing.await();
            } catch (AssertionError caught) {
                assertSame(failure, caught);
                finish(1);
            }
        });
    }

    @Async
    int innermost(int depth) throws IOException {
        try {
            Asyncio.sleep(1);
            expect(2);
            throw new IOException("thrown at depth " + depth);
        } finally {
            expect(3);
        }
    }

    @Async
    int middle(int depth) throws IOException {
        int local = depth * 10;
        try {
            Asyncio.sleep(Duration.ZERO);
            return local + innermost(depth + 1);
        } finally {
            expect(4);
            assertEquals(10, local, "a local survives the suspensions");
        }
    }

    @Test
    void nestedCalls_failureAfterSuspensions_caughtByTheCallersCatchWithFinallyBlocksRun() {
        String message = run(() -> {
            expect(1);
            try {
                middle(1);
                expectUnreached();
                return "no failure";
            } catch (IOException caught) {
                expect(5);
                return caught.getMessage();
            }
        });
        assertEquals("thrown at depth 2", message);
        finish(6);
    }

    @Async
    static long sumAfterSleeps(int count) {
        long sum = 0;
        for (int i = 1; i <= count; i++) {
            Asyncio.sleep(Duration.ZERO);
            sum += i;
        }
        return sum;
    }

    @Test
    void nestedCalls_resultAfterSuspensions_returnedToTheCaller() {
        long total = run(() -> sumAfterSleeps(4) + sumAfterSleeps(3) * 100);
        assertEquals(610, total);
        finish(1);
    }

    @Test
    void run_mainThrowsUnchecked_thrownAsIs() {
        UnsupportedOperationException failure = new UnsupportedOperationException("main failed");
        assertSame(failure, assertThrows(UnsupportedOperationException.class,
                () -> run(() -> throwAfterAYield(failure))));
        finish(1);
    }

    @Test
    void run_mainThrowsChecked_wrappedInCompletionException() {
        Exception failure = new Exception("checked");
        CompletionException thrown = assertThrows(CompletionException.class,
                () -> run(() -> throwAfterAYield(failure)));
        assertSame(failure, thrown.getCause());
        finish(1);
    }

    @Test
    void await_manyAwaitersOfOneFailingTask_eachGetsTheFailure() {
        IllegalStateException failure = new IllegalStateException("shared");
        run(() -> {
            Task<Object> failing = Asyncio.createTask(() -> {
                Asyncio.sleep(5);
                throw failure;
            });
            Task<?>[] awaiters = new Task<?>[3];
            for (int i = 0; i < awaiters.length; i++) {
                int number = i + 1;
                awaiters[i] = Asyncio.createTask(() -> {
                    try {
                        failing.await();
                        return "no failure";
                    } catch (IllegalStateException caught) {
                        assertSame(failure, caught);
                        expect(number);
                        return "awaiter " + number;
                    }
                });
            }
            for (int i = 0; i < awaiters.length; i++) {
                assertEquals("awaiter " + (i + 1), awaiters[i].await());
            }
            finish(4);
        });
    }
}
