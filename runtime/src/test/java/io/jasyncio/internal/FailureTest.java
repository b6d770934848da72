package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How a task's exception reaches {@code await}, a caller across suspensions, and {@code run}. */
class FailureTest extends LoopTestBase {

    private static HandWoven<Object> failingAfterAYield(Throwable failure) {
        return HandWoven.body().step(yieldOnce()).step(previous -> {
            throw failure;
        });
    }

    @Test
    void await_uncheckedFailure_thrownAsIs() {
        IllegalArgumentException failure = new IllegalArgumentException("boom");
        Task<?>[] failing = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> failing[0] = Asyncio.createTask(failingAfterAYield(failure)))
                .step(await(failing))
                .catching(caught -> {
                    assertSame(failure, caught);
                    finish(1);
                    return null;
                }));
        assertSame(failure, assertThrows(IllegalArgumentException.class, failing[0]::result));
    }

    @Test
    void await_error_thrownAsIs() {
        Error failure = new Error("fatal");
        Task<?>[] failing = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> failing[0] = Asyncio.createTask(failingAfterAYield(failure)))
                .step(await(failing))
                .catching(caught -> {
                    assertSame(failure, caught);
                    finish(1);
                    return null;
                }));
    }

    @Test
    void await_checkedFailure_wrappedInCompletionException() {
        IOException failure = new IOException("disk on fire");
        Task<?>[] failing = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> failing[0] = Asyncio.createTask(failingAfterAYield(failure)))
                .step(await(failing))
                .catching(caught -> {
                    assertInstanceOf(CompletionException.class, caught);
                    assertSame(failure, caught.getCause());
                    finish(1);
                    return null;
                }));
        CompletionException viaResult = assertThrows(CompletionException.class, failing[0]::result);
        assertSame(failure, viaResult.getCause());
    }

    @Test
    void await_manyAwaitersOfOneFailingTask_eachGetsTheFailure() {
        IllegalStateException failure = new IllegalStateException("shared");
        Task<?>[] failing = new Task<?>[1];
        Task<?>[] awaiters = new Task<?>[3];
        run(HandWoven.body()
                .then(() -> {
                    failing[0] = Asyncio.createTask(HandWoven.body().step(sleep(5)).step(previous -> {
                        throw failure;
                    }));
                    for (int i = 0; i < awaiters.length; i++) {
                        int number = i + 1;
                        awaiters[i] = Asyncio.createTask(HandWoven.body()
                                .step(await(failing))
                                .catching(caught -> {
                                    assertSame(failure, caught);
                                    expect(number);
                                    return "awaiter " + number;
                                }));
                    }
                })
                .step(sleep(10))
                .then(() -> finish(4)));
        for (int i = 0; i < awaiters.length; i++) {
            assertEquals("awaiter " + (i + 1), awaiters[i].result());
        }
    }

    @Test
    void nestedCall_failureAfterASuspension_caughtByTheCallerAndFinallyBlocksRun() {
        Object result = run(HandWoven.body()
                .then(() -> expect(1))
                .step(previous -> HandWoven.body()
                        .then(() -> expect(2))
                        .step(sleep(1))
                        .then(() -> expect(3))
                        .step(previous2 -> HandWoven.body()
                                .step(yieldOnce())
                                .step(previous3 -> {
                                    expect(4);
                                    throw new IOException("deep");
                                })
                                .finallyDo(() -> expect(5))
                                .call())
                        .then(() -> expectUnreached())
                        .finallyDo(() -> expect(6))
                        .call())
                .then(() -> expectUnreached())
                .catching(caught -> {
                    assertInstanceOf(IOException.class, caught, "as thrown, not wrapped, within one task");
                    expect(7);
                    return caught.getMessage();
                }));
        assertEquals("deep", result);
        finish(8);
    }

    @Test
    void nestedCall_resultAfterSuspensions_returnedToTheCaller() {
        Object result = run(HandWoven.body()
                .step(previous -> HandWoven.body()
                        .step(sleep(3))
                        .step(previous2 -> HandWoven.body().step(yieldOnce()).step(previous3 -> 20).call())
                        .step(twenty -> (Integer) twenty + 1)
                        .call())
                .step(twentyOne -> (Integer) twentyOne * 2));
        assertEquals(42, result);
        finish(1);
    }

    @Test
    void run_mainThrowsUnchecked_thrownAsIs() {
        UnsupportedOperationException failure = new UnsupportedOperationException("main failed");
        assertSame(failure, assertThrows(UnsupportedOperationException.class,
                () -> run(failingAfterAYield(failure))));
        finish(1);
    }

    @Test
    void run_mainThrowsChecked_wrappedInCompletionException() {
        Exception failure = new Exception("checked");
        CompletionException thrown = assertThrows(CompletionException.class, () -> run(failingAfterAYield(failure)));
        assertSame(failure, thrown.getCause());
        finish(1);
    }
}
