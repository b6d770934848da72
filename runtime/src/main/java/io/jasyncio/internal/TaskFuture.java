package io.jasyncio.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The machinery of {@code Task.toCompletableFuture} and {@code Loop.submit}: a
 * {@link CompletableFuture} that completes when a task ends, for code on other threads.
 *
 * <p>A done-callback on the task ({@link DoneCallback}) completes the future with its outcome
 * when it ends, on the loop's thread: the result, the failure as it is (so {@code get} wraps it
 * in an {@code ExecutionException} and {@code join} in a {@code CompletionException}), or the
 * task's {@code CancellationException}. For a task that has already ended, the callback runs at
 * once. Reading the outcome this way counts as retrieving it, so a failure passed on to the
 * future is not reported as lost. Actions that depend on the future and were added before it
 * completed run then, on the loop's thread, as the task ends.
 *
 * <p>Any other completion of the future (its {@code cancel}, a {@code complete} by someone else)
 * cancels the task, on the loop thread: posted there when it happens on another thread.
 *
 * <p>Rejected: a watcher task ({@code future:<name>}) that awaits the task, what this did before
 * tasks had done-callbacks: a task and a frame per future, shown by {@code Asyncio.allTasks()},
 * and kept alive against the loop's shutdown by ignoring cancels of itself.
 */
public final class TaskFuture implements DoneCallback, BiConsumer<Object, Throwable> {
    private final TaskCore task;
    /** For a cancel of the task from another thread; null when the task had ended already. */
    private final Inbox inbox;
    private final CompletableFuture<Object> future;
    /** Set on the loop thread before the callback completes the future with the task's outcome. */
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
     * @return {@code future}
     */
    @SuppressWarnings("unchecked")
    public static <T> CompletableFuture<T> watch(TaskCore task, CompletableFuture<T> future) {
        task.loop.checkThread("Task.toCompletableFuture");
        // The inbox is never needed for a task that has ended: the callback runs at once and
        // sets taskEnded before anyone can complete the future.
        TaskFuture watch = new TaskFuture(task, task.isDone() ? null : task.loop.inbox(), (CompletableFuture<Object>) future);
        task.addDoneCallback(watch);
        future.whenComplete(watch);
        return future;
    }

    /** The task has ended: completes the future with its outcome. */
    @Override
    public void taskDone(TaskCore ended) {
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
