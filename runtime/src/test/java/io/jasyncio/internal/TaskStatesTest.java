package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import org.junit.jupiter.api.Test;

/** Walks the state table drawn in {@code Task}: NEW, READY, RUNNING, PARKED, DONE. */
class TaskStatesTest extends LoopTestBase {

    private static String state(Task<?> task) {
        String text = task.toString();
        return text.substring(text.indexOf(", ") + 2, text.length() - 1);
    }

    @Test
    void task_walksEveryStateOfTheTable() {
        Task<?>[] walker = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    Asyncio.createTask(HandWoven.body()
                            .step(yieldOnce()) // lets the walker run and park
                            .then(() -> {
                                expect(2);
                                String parked = state(walker[0]);
                                assertTrue(parked.startsWith("parked, waiting for sleep, "), parked);
                            }));
                    walker[0] = Asyncio.createTask(HandWoven.body()
                            .then(() -> {
                                expect(1);
                                assertEquals("running", state(Asyncio.currentTask()));
                            })
                            .step(sleep(10))
                            .then(() -> {
                                expect(4);
                                assertEquals("running", state(Asyncio.currentTask()));
                            })
                            .step(previous -> "result"));
                    assertEquals("pending, not started", state(walker[0]));
                    assertFalse(walker[0].isDone());
                })
                // main's timer falls due with the walker's and was set first, so main wakes first
                .step(sleep(10))
                .then(() -> {
                    expect(3);
                    assertEquals("ready", state(walker[0]));
                })
                .step(await(walker))
                .then(() -> {
                    assertEquals("done", state(walker[0]));
                    assertTrue(walker[0].isDone());
                    assertFalse(walker[0].isCancelled());
                    assertEquals("result", walker[0].result());
                    finish(5);
                }));
    }

    @Test
    void task_endedByItsFailure_isDoneNotCancelled() {
        Task<?>[] failing = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> failing[0] = Asyncio.createTask(HandWoven.body().step(previous -> {
                    throw new IllegalStateException("broken");
                })))
                .step(yieldOnce())
                .then(() -> {
                    assertEquals("failed: java.lang.IllegalStateException: broken", state(failing[0]));
                    assertTrue(failing[0].isDone());
                    assertFalse(failing[0].isCancelled());
                    finish(1);
                })
                .step(await(failing))
                .catching(failure -> null));
    }

    @Test
    void task_cancelled_isDoneAndCancelled() {
        Task<?>[] victim = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    victim[0] = Asyncio.createTask(HandWoven.body().step(sleep(10)));
                    victim[0].cancel();
                    assertEquals("cancelled", state(victim[0]));
                    assertTrue(victim[0].isDone());
                    assertTrue(victim[0].isCancelled());
                    finish(1);
                }));
    }

    @Test
    void name_default_numbersTasksInCreationOrder() {
        run(HandWoven.body()
                .then(() -> {
                    Task<?> main = Asyncio.currentTask();
                    Task<?> second = Asyncio.createTask(HandWoven.body());
                    Task<?> named = Asyncio.createTask("worker", HandWoven.body());
                    assertEquals("Task-1", main.name());
                    assertEquals("Task-2", second.name());
                    assertEquals("worker", named.name());
                    finish(1);
                }));
    }
}
