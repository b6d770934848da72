package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Done-callbacks on tasks: called once, in order, as the task ends, also for a task
 * cancelled before it started; they share the task's rare fields with its name and awaiters.
 */
class DoneCallbackTest extends LoopTestBase {

    private static void onDone(Task<?> task, DoneCallback callback) {
        ((TaskCore) task).addDoneCallback(callback);
    }

    @Test
    void callbacks_calledOnceInOrderAfterTheAwaitersAreWoken_nameAndAwaitersKept() {
        List<String> log = new ArrayList<>();
        Task<?>[] child = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    child[0] = Asyncio.createTask("named", HandWoven.body().step(sleep(10)).step(previous -> "result"));
                    onDone(child[0], task -> log.add("first saw " + task.resultNow()));
                    Asyncio.createTask(HandWoven.body().step(await(child)).then(() -> log.add("awaiter ran")));
                    onDone(child[0], task -> log.add("second, " + (task.isDone() ? "done" : "not done")));
                    onDone(child[0], task -> log.add("third"));
                    assertEquals("named", child[0].name());
                })
                .step(await(child))
                .then(() -> {
                    log.add("main woke");
                    onDone(child[0], task -> log.add("added after the end: at once"));
                    assertEquals("named", child[0].name());
                })
                .step(sleep(0))
                .then(() -> finish(1)));
        // the callbacks run as the child ends; the awaiters it woke run after, first come first
        assertEquals(List.of("first saw result", "second, done", "third", "main woke",
                "added after the end: at once", "awaiter ran"), log);
    }

    @Test
    void callback_ofATaskCancelledBeforeItStarted_isCalledAtTheCancel() {
        List<String> log = new ArrayList<>();
        run(HandWoven.body().then(() -> {
            Task<Object> never = Asyncio.createTask(HandWoven.body().then(this::expectUnreached));
            onDone(never, task -> log.add("cancelled: " + task.isCancelled()));
            assertTrue(never.cancel());
            assertEquals(List.of("cancelled: true"), log);
            assertTrue(never.name().startsWith("Task-"));
            finish(1);
        }));
    }
}
