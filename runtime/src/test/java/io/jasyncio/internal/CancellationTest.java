package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@code Task.cancel()} in each state of the table in {@code Task}, and {@code run}'s leftovers. */
class CancellationTest extends LoopTestBase {

    @Test
    void cancel_parkedTask_catchAndFinallyRunAndAwaitThrows() {
        Task<?>[] sleeper = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    sleeper[0] = Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(2))
                            .step(sleep(3_600_000))
                            .then(() -> expectUnreached())
                            .catching(failure -> {
                                assertInstanceOf(CancellationException.class, failure);
                                expect(5);
                                throw (CancellationException) failure;
                            })
                            .finallyDo(() -> expect(6)));
                })
                .step(yieldOnce())
                .then(() -> {
                    expect(3);
                    assertTrue(sleeper[0].cancel());
                    assertFalse(sleeper[0].isDone(), "the cancellation is delivered when the task runs");
                    expect(4);
                })
                .step(await(sleeper))
                .then(() -> expectUnreached())
                .catching(failure -> {
                    assertInstanceOf(CancellationException.class, failure);
                    expect(7);
                    return null;
                }));
        assertTrue(sleeper[0].isDone());
        assertTrue(sleeper[0].isCancelled());
        assertThrows(CancellationException.class, sleeper[0]::result);
        assertTrue(clock.elapsed() < 3_600_000_000_000L, "the sleeper was not waited for");
        finish(8);
    }

    @Test
    void cancel_taskThatNeverStarted_neverRuns() {
        Task<?>[] never = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    never[0] = Asyncio.createTask(HandWoven.body().then(() -> expectUnreached()));
                    assertTrue(never[0].cancel());
                    assertTrue(never[0].isCancelled(), "a task that never started ends cancelled at once");
                    assertFalse(never[0].cancel(), "cancel of an ended task");
                })
                .step(yieldOnce())
                .then(() -> expect(2))
                .step(await(never))
                .catching(failure -> {
                    assertInstanceOf(CancellationException.class, failure);
                    finish(3);
                    return null;
                }));
    }

    @Test
    void cancel_selfWhileRunning_deliveredAtNextSuspension() {
        Task<?>[] self = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    self[0] = Asyncio.createTask(HandWoven.body()
                            .then(() -> {
                                expect(1);
                                assertTrue(Asyncio.currentTask().cancel());
                                assertFalse(Asyncio.currentTask().isCancelled());
                                expect(2); // the task goes on running until it suspends
                            })
                            .step(yieldOnce())
                            .then(() -> expectUnreached())
                            .catching(failure -> {
                                assertInstanceOf(CancellationException.class, failure);
                                expect(3);
                                throw (CancellationException) failure;
                            }));
                })
                .step(await(self))
                .catching(failure -> {
                    assertInstanceOf(CancellationException.class, failure);
                    finish(4);
                    return null;
                }));
        assertTrue(self[0].isCancelled());
    }

    @Test
    void cancel_catchingTheCancellation_taskEndsNormally() {
        Task<?>[] stubborn = new Task<?>[1];
        Object result = run(HandWoven.body()
                .then(() -> stubborn[0] = Asyncio.createTask(HandWoven.body()
                        .step(sleep(1_000))
                        .catching(failure -> "caught " + failure.getClass().getSimpleName())))
                .step(yieldOnce())
                .then(() -> assertTrue(stubborn[0].cancel()))
                .step(await(stubborn)));
        assertEquals("caught CancellationException", result);
        assertFalse(stubborn[0].isCancelled());
        finish(1);
    }

    @Test
    void cancel_taskThatEnded_returnsFalse() {
        Task<?>[] quick = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> quick[0] = Asyncio.createTask(HandWoven.body().step(previous -> "done")))
                .step(await(quick))
                .then(() -> {
                    assertFalse(quick[0].cancel());
                    assertFalse(quick[0].isCancelled());
                    assertEquals("done", quick[0].result());
                    finish(1);
                }));
    }

    @Test
    void cancel_taskWokenButNotYetRun_resumesWithTheCancellation() {
        Task<?>[] sleeper = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> sleeper[0] = Asyncio.createTask(HandWoven.body()
                        .then(() -> expect(1))
                        .step(sleep(10))
                        .then(() -> expectUnreached())
                        .catching(failure -> {
                            assertInstanceOf(CancellationException.class, failure);
                            expect(3);
                            return "cancelled after its timer fired";
                        })))
                // Both timers fall due at 10 ms and wake in call order: main's first, so main
                // runs while the sleeper is ready but has not run yet.
                .step(sleep(10))
                .then(() -> {
                    expect(2);
                    assertTrue(sleeper[0].cancel());
                })
                .step(await(sleeper))
                .then(() -> finish(4)));
    }

    @Test
    void run_mainEnds_leftoverTasksCancelledAndTheirFinallyBlocksRun() {
        Task<?>[] leftovers = new Task<?>[4];
        Object result = run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    leftovers[0] = Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(2))
                            .step(sleep(3_600_000))
                            .then(() -> expectUnreached())
                            .finallyDo(() -> expect(5)));
                    leftovers[1] = Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(3))
                            .step(sleep(7_200_000))
                            .then(() -> expectUnreached())
                            .finallyDo(() -> expect(6)));
                })
                .step(yieldOnce())
                .step(previous -> {
                    expect(4);
                    // two tasks that never start
                    leftovers[2] = Asyncio.createTask(HandWoven.body().then(() -> expectUnreached()));
                    leftovers[3] = Asyncio.createTask(HandWoven.body().then(() -> expectUnreached()));
                    return 42;
                }));
        assertEquals(42, result);
        for (Task<?> task : leftovers) {
            assertTrue(task.isCancelled(), task + " is cancelled");
        }
        assertEquals(0, clock.elapsed(), "no leftover was waited for");
        finish(7);
    }
}
