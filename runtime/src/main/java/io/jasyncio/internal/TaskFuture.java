package io.jasyncio.internal;

import io.jasyncio.AsyncRunnable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The machinery of {@code Task.toCompletableFuture} and {@code Loop.submit}: a
 * {@link CompletableFuture} that completes when a task ends, for code on other threads.
 *
 * <p>A small watcher task (named {@code future:<task name>}) awaits the task and completes the
 * future with its outcome: the result, the failure as it is (so {@code get} wraps it in an
 * {@code ExecutionException} and {@code join} in a {@code CompletionException}), or the task's
 * {@code CancellationException}. Like gather's watchers, it ignores a cancel of itself (only the
 * loop's shutdown makes one) and awaits on, so the future always completes. Awaiting the task
 * retrieves its outcome, so a failure passed on to the future is not reported as lost.
 *
 * <p>Any other completion of the future (its {@code cancel}, a {@code complete} by someone else)
 * cancels the task, on the loop thread: posted there when it happens on another thread. A done
 * callback on the task would spare the watcher, at the cost of a new hook in {@link TaskCore};
 * a watcher needs none.
 */
public final class TaskFuture implements AsyncRunnable, BiConsumer<Object, Throwable> {
    private static final Resumer WATCH = frame -> {
        if (frame != null) {
            ((TaskFuture) frame.refs[0]).run();
        }
        return null;
    };

    private final TaskCore task;
    private final Inbox inbox;
    private final CompletableFuture<Object> future;
    /** Set on the loop thread before the watcher completes the future with the task's outcome. */
    private boolean taskEnded;

    private TaskFuture(TaskCore task, Inbox inbox, CompletableFuture<Object> future) {
        this.task = task;
        this.inbox = inbox;
        this.future = future;
    }

    /**
     * Makes {@code future} complete when {@code task} ends, and a completion of the future by
     * anyone else cancel the task. On the loop thread of {@code task}.
     *
     * @param spawner makes and schedules the watcher task from its body and name
     * @return {@code future}
     */
    @SuppressWarnings("unchecked")
    public static <T> CompletableFuture<T> watch(TaskCore task, CompletableFuture<T> future,
            BiFunction<AsyncRunnable, String, TaskCore> spawner) {
        task.loop.checkThread("Task.toCompletableFuture");
        boolean done = task.isDone();
        TaskFuture watcher = new TaskFuture(task, done ? null : task.loop.inbox(), (CompletableFuture<Object>) future);
        if (done) {
            watcher.complete(); // the inbox is never needed: taskEnded is set before anyone can complete the future
        } else {
            spawner.apply(watcher, "future:" + task.name());
        }
        future.whenComplete(watcher);
        return future;
    }

    /** The watcher task's body: awaits the task, then completes the future. Hand-woven. */
    @Override
    public void run() {
        EventLoop loop = Coroutines.enter("io.jasyncio.Task.toCompletableFuture");
        Frame frame = Coroutines.resumeFrame(loop);
        if (frame != null) {
            try {
                Coroutines.resumeValue(loop);
            } catch (RuntimeException | Error outcomeOrCancel) {
                // the outcome is read from the task; a cancel of the watcher is ignored
            }
        }
        if (!task.isDone()) {
            task.awaitTask();
            PrimitiveFrames.spill(loop, frame, WATCH, /* state = */ 1, this);
            return;
        }
        complete();
    }

    private void complete() {
        taskEnded = true;
        Throwable failure = task.failure();
        task.flags |= TaskCore.RETRIEVED;
        if (failure == null) {
            future.complete(task.value);
        } else {
            future.completeExceptionally(failure);
        }
    }

    /** The future completed, on any thread: unless by the task's end, cancel the task. */
    @Override
    public void accept(Object result, Throwable failure) {
        if (taskEnded) {
            return; // a stale false only costs a cancel of a task that has ended, which does nothing
        }
        if (Thread.currentThread() == task.loop.thread) {
            task.cancel();
        } else {
            inbox.post(task::cancel); // refused only once the loop is gone, and then the task has ended
        }
    }
}
