package io.jasyncio.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The machinery of {@code Asyncio.await(CompletionStage)}: the calling task parks on this
 * object, and the stage's completion, on whatever thread it happens, is posted to the loop's
 * {@link Inbox}, which wakes the task with the outcome.
 *
 * <p>The stage's callback may run before {@code whenComplete} returns (the stage was complete
 * already, or completed meanwhile): then the outcome is returned without parking. One atomic
 * {@link #state} tells the two orders apart: the callback swaps in {@code COMPLETED}, the caller
 * tries to move {@code REGISTERING} to {@code PARKED}; whoever comes second knows the other's
 * part is done.
 *
 * <h2>Cancellation</h2>
 * A task cancelled while it waits resumes at once with its {@code CancellationException}, and
 * the stage's {@code CompletableFuture} is cancelled: a future awaited by one task is usually
 * that task's own one-shot work (as kotlinx.coroutines' {@code CompletionStage.await} and
 * asyncio's {@code wrap_future} do). To leave the future running, await a copy of it
 * ({@code CompletableFuture.copy()}).
 */
public final class StageAwait implements BiConsumer<Object, Throwable>, WaitSite, Runnable {
    private static final int REGISTERING = 0;
    private static final int PARKED = 1;
    private static final int COMPLETED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(StageAwait.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    /** The loop's inbox, made before the callback is registered: the callback may run at once, on any thread. */
    private final Inbox inbox;
    private final TaskCore waiter;
    private final CompletionStage<?> stage;
    private volatile int state;
    /** The stage's outcome; written by the callback before it swaps in COMPLETED. */
    private Object result;
    private Throwable failure;
    /** Loop thread only: whether the wait is over (the outcome arrived, or the task was cancelled). */
    private boolean settled;

    private StageAwait(EventLoop loop, TaskCore waiter, CompletionStage<?> stage) {
        this.loop = loop;
        this.inbox = loop.inbox();
        this.waiter = waiter;
        this.stage = stage;
    }

    /**
     * Returns {@code stage}'s outcome at once when it is complete, or parks the calling task
     * until it is: a hand-woven suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @return the stage's result, when the caller did not park
     */
    public static Object await(EventLoop loop, CompletionStage<?> stage) {
        // exactly CompletableFuture: a subclass may refuse isDone (the minimal stage does)
        if (stage.getClass() == CompletableFuture.class && ((CompletableFuture<?>) stage).isDone()) {
            Object result;
            try {
                result = ((CompletableFuture<?>) stage).join();
            } catch (CompletionException | CancellationException e) {
                throw Coroutines.<RuntimeException>sneakyThrow(reported(e));
            }
            return result;
        }
        StageAwait wait = new StageAwait(loop, loop.currentTask("Asyncio.await"), stage);
        stage.whenComplete(wait);
        if (!STATE.compareAndSet(wait, REGISTERING, PARKED)) {
            return wait.outcome(); // completed while whenComplete registered the callback
        }
        wait.inbox.outstanding++;
        loop.suspend(wait.waiter, wait, null);
        return null;
    }

    /** The stage completed; on any thread. */
    @Override
    public void accept(Object value, Throwable exception) {
        result = value;
        failure = exception;
        if ((int) STATE.getAndSet(this, COMPLETED) == PARKED) {
            inbox.post(this); // dropped only if the loop is gone, and then nobody waits
        }
    }

    /** On the loop thread: the outcome arrived; wake the task unless it gave up waiting. */
    @Override
    public void run() {
        if (settled) {
            return;
        }
        settled = true;
        inbox.outstanding--;
        if (failure == null) {
            loop.wake(waiter, result, null);
        } else {
            loop.wake(waiter, null, reported(failure));
        }
    }

    private Object outcome() {
        if (failure != null) {
            throw Coroutines.<RuntimeException>sneakyThrow(reported(failure));
        }
        return result;
    }

    /**
     * A stage's failure as {@code Task.await} reports a task's: the cause of a
     * {@code CompletionException}, unchecked exceptions and a cancellation as they are, a
     * checked one wrapped in a new {@code CompletionException}.
     */
    static Throwable reported(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return TaskCore.reported(cause);
    }

    /** The task was cancelled while parked here: stop waiting, and cancel the future. */
    @Override
    public void cancelWait(TaskCore task) {
        if (settled) {
            return;
        }
        settled = true;
        inbox.outstanding--;
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException noFuture) {
            // a stage that cannot be seen as a future is left alone
        }
    }

    /**
     * What a task parked here waits for, for diagnostics; the wording of the other wait sites
     * ({@code WaitSite.describe} where introspection defines it).
     */
    @Override
    public String describe(TaskCore task) {
        return "completion of a " + stage.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "await(" + stage + ")";
    }
}
