package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncCallable;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A task whose suspension no woven method caught: code that is not woven (reached through
 * reflection, a method reference of a plain interface, a class loaded without the agent) calls
 * a primitive, which parks, and then goes on and throws or returns. The task ends with that
 * failure; whatever it was registered on (timer, lock queue, awaited task) must forget it, or
 * a dead task would hold a timer or, worse, be handed a lock nobody can release.
 */
class UncaughtSuspensionTest extends LoopTestBase {
    private static final RuntimeException GOES_ON = new IllegalStateException("the unwoven caller went on");

    private static HandWoven<Object> parkThenThrow(HandWoven.Action primitive) {
        return HandWoven.body().step(previous -> {
            primitive.run();
            throw GOES_ON;
        });
    }

    @Test
    void sleepThenThrow_taskFailsAndLeavesNoTimer() {
        Task<?>[] broken = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> broken[0] = Asyncio.createTask(parkThenThrow(() -> Asyncio.sleep(Duration.ofHours(1)))))
                .step(await(broken))
                .catching(failure -> {
                    assertSame(GOES_ON, failure);
                    finish(1);
                    return null;
                }));
        assertEquals(0, clock.elapsed(), "the dead task's hour was not waited for");
    }

    @Test
    void sleepThenReturn_taskFailsSayingItWasNotWoven() {
        Task<?>[] broken = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> broken[0] = Asyncio.createTask((AsyncCallable<String>) () -> {
                    // a body that is not woven: the primitive parks and the body returns
                    Asyncio.sleep(Duration.ofHours(1));
                    return "returned while parking";
                }))
                .step(await(broken))
                .catching(failure -> {
                    assertInstanceOf(IllegalStateException.class, failure);
                    assertTrue(failure.getMessage().contains("parked, but no woven method caught the suspension"),
                            failure.getMessage());
                    finish(1);
                    return null;
                }));
        assertEquals(0, clock.elapsed());
    }

    @Test
    void lockAcquireThenThrow_deadTaskIsNeverHandedTheLock() {
        Lock lock = new Lock();
        Task<?>[] broken = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    lock.acquire();
                    broken[0] = Asyncio.createTask(parkThenThrow(lock::acquire));
                })
                .step(yieldOnce())
                .then(() -> {
                    assertTrue(broken[0].isDone());
                    lock.release();
                    assertFalse(lock.isLocked(), "the lock was not handed to the dead task");
                })
                .step(await(broken))
                .catching(failure -> {
                    assertSame(GOES_ON, failure);
                    finish(1);
                    return null;
                }));
    }

    @Test
    void awaitThenThrow_deadTaskIsForgottenByTheAwaitedTask() {
        Task<?>[] sleeper = new Task<?>[1];
        Task<?>[] broken = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    sleeper[0] = Asyncio.createTask(HandWoven.body().step(sleep(10)).step(previous -> "slept"));
                    broken[0] = Asyncio.createTask(parkThenThrow(() -> sleeper[0].await()));
                })
                .step(await(sleeper))
                .then(() -> {
                    assertEquals("slept", sleeper[0].result());
                    try {
                        broken[0].result();
                    } catch (IllegalStateException expected) {
                        assertSame(GOES_ON, expected);
                    }
                    finish(1);
                }));
    }
}
