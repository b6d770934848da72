package io.jasyncio;

import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.ExceptionReports;
import io.jasyncio.internal.Inbox;
import io.jasyncio.internal.TaskFuture;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The running event loop, as other threads see it: obtained on the loop's thread by
 * {@link Asyncio#runningLoop()} (asyncio's {@code get_running_loop}), then handed to code on
 * other threads that needs to reach the loop. There is one {@code Loop} per event loop.
 *
 * <p>Only {@link #callSoonThreadsafe}, {@link #submit} and {@link #isClosed} may be called from
 * any thread; the exception-handler methods belong to the loop's thread.
 *
 * <h2>Waiting for other threads</h2>
 * The loop knows when it waits for another thread through {@link Asyncio#toThread} and
 * {@link Asyncio#await(java.util.concurrent.CompletionStage)}; while such a wait lasts, its
 * deadlock detection does not fire. It cannot know that some thread will call
 * {@code callSoonThreadsafe} later: a task whose only way to wake up is such a call, with
 * nothing else pending, makes {@code run} report a deadlock. To wait for another thread, await
 * a {@code CompletableFuture} that thread completes.
 */
public final class Loop {
    private final EventLoop loop;
    private final Inbox inbox;
    /** The handler set by {@link #setExceptionHandler}; null for the default. Loop thread only. */
    private ExceptionHandler exceptionHandler;

    Loop(EventLoop loop, Inbox inbox) {
        this.loop = loop;
        this.inbox = inbox;
    }

    /**
     * Receives the exceptions that nobody else will see: a task's failure that nobody retrieved
     * (reported when {@code run} finishes), or an exception thrown by a callback given to
     * {@link #callSoonThreadsafe}. Like asyncio's exception handler.
     */
    @FunctionalInterface
    public interface ExceptionHandler {
        /**
         * Handles one report, on the loop's thread. An exception it throws is printed to
         * standard error with the report it was handling; the loop goes on.
         *
         * @param loop the loop that reports
         * @param context what happened
         */
        void handle(Loop loop, ExceptionContext context);
    }

    /**
     * One report for an {@link ExceptionHandler}.
     *
     * @param message what happened, for example {@code exception of task Task-3 was never retrieved}
     * @param exception the exception, with its async stack trace; may be null
     * @param task the task it concerns, or null (an exception of a callback)
     */
    public record ExceptionContext(String message, Throwable exception, Task<?> task) {
        /**
         * Makes a report.
         *
         * @param message what happened, not null
         * @param exception the exception, or null
         * @param task the task it concerns, or null
         */
        public ExceptionContext {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Runs {@code callback} on the loop's thread, between task steps, like asyncio's
     * {@code call_soon_threadsafe}. Callable from any thread, the loop's own included; it does
     * not wait. Callbacks run in the order their calls were made (those of one thread in the
     * order that thread made them), each exactly once. A blocked loop wakes up at once. The
     * callback may create tasks, cancel them, set events; it runs outside any task, so it cannot
     * make suspending calls. An exception it throws goes to the loop's exception handler. A
     * callback accepted while the loop was finishing still runs before {@code run} returns (the
     * tasks it creates are cancelled before they start).
     *
     * <p>It does not keep the loop waiting: see "Waiting for other threads" in the class comment.
     *
     * @param callback what to run
     * @throws IllegalStateException if the loop has closed ({@code run} has returned or is
     *     returning)
     */
    public void callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (!inbox.post(callback)) {
            throw closed("callSoonThreadsafe");
        }
    }

    /**
     * Runs {@code body} as a new task of this loop and returns a future of its outcome, for code
     * on another thread, like asyncio's {@code run_coroutine_threadsafe}. Callable from any
     * thread. The task is created on the loop's thread, soon; the future completes when it
     * ends, as {@link Task#toCompletableFuture()}'s does. Cancelling the future before the task
     * was created means it is never created; afterwards it cancels the task.
     *
     * @param body the coroutine
     * @param <T> the type of its result
     * @return a future of the task's result, safe to use from any thread
     * @throws IllegalStateException if the loop has closed
     */
    public <T> CompletableFuture<T> submit(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        CompletableFuture<T> future = new CompletableFuture<>();
        boolean posted = inbox.post(() -> {
            if (!future.isDone()) {
                Task<T> task = spawn(loop, body, null);
                TaskFuture.watch(task, future);
            }
        });
        if (!posted) {
            throw closed("submit");
        }
        return future;
    }

    private static <T> Task<T> spawn(EventLoop loop, Object body, String name) {
        Task<T> task = TaskFactory.newTask(loop, body, name);
        loop.schedule(task);
        return task;
    }

    /**
     * Whether the loop has closed: {@code run} has returned, or is returning and accepts no more
     * callbacks. Callable from any thread.
     *
     * @return {@code true} once callbacks are refused
     */
    public boolean isClosed() {
        return inbox.isClosed();
    }

    /**
     * Sets the handler of the exceptions nobody else will see, like asyncio's
     * {@code set_exception_handler}; {@code null} restores the default, which prints each
     * report to standard error ({@link #defaultExceptionHandler}).
     *
     * @param handler the new handler, or null
     * @throws IllegalStateException when not called on the loop's thread
     */
    public void setExceptionHandler(ExceptionHandler handler) {
        checkThread("Loop.setExceptionHandler");
        this.exceptionHandler = handler;
    }

    /**
     * The handler set by {@link #setExceptionHandler}.
     *
     * @return the handler, or null when the default is in use
     * @throws IllegalStateException when not called on the loop's thread
     */
    public ExceptionHandler exceptionHandler() {
        checkThread("Loop.exceptionHandler");
        return exceptionHandler;
    }

    /**
     * What the default handler does, for a handler that wants it too: prints
     * {@code jasyncio: <message>:} and the exception's stack trace to standard error, in one write.
     * Like asyncio's {@code default_exception_handler}.
     *
     * @param context the report
     */
    public void defaultExceptionHandler(ExceptionContext context) {
        ExceptionReports.printDefault(Objects.requireNonNull(context, "context"));
    }

    private void checkThread(String what) {
        if (EventLoop.current() != loop) {
            throw new IllegalStateException(what + " must be called on the thread of the event loop it belongs to");
        }
    }

    private IllegalStateException closed(String what) {
        return new IllegalStateException("Loop." + what + ": the event loop has closed");
    }

    @Override
    public String toString() {
        return "Loop[" + (isClosed() ? "closed" : "running") + "]";
    }

    /** The face of {@code loop}, made on first use; on the loop's thread. */
    static Loop of(EventLoop loop) {
        Inbox inbox = loop.inbox();
        if (inbox.face == null) {
            inbox.face = new Loop(loop, inbox);
        }
        return (Loop) inbox.face;
    }

    /** For {@link Task#toCompletableFuture()}: see there. */
    static <T> CompletableFuture<T> futureOf(Task<T> task) {
        return TaskFuture.watch(task, new CompletableFuture<>());
    }
}
