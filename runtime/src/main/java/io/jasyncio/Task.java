package io.jasyncio;

import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Introspection;
import io.jasyncio.internal.TaskCore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A handle on a coroutine scheduled on the event loop by {@link Asyncio#createTask}.
 *
 * <h2>States</h2>
 * <pre>
 *                 createTask
 *                     |
 *                     v          cancel()
 *                   NEW  ----------------------------------+
 *                     | first step                         |
 *                     v                                    v
 *   +---------->  RUNNING  -- body returns or throws --> DONE (result | failure | cancelled)
 *   |                 | a suspending call parks            ^
 *   |                 v                                    |
 *   |              PARKED  -- cancel(): resumed with a ----+ (via READY, then RUNNING)
 *   |                 |      CancellationException
 *   |                 | timer, channel, awaited task, lock...
 *   |                 v
 *   +-----------   READY   (in the loop's FIFO ready queue)
 * </pre>
 * A {@code cancel()} while RUNNING (a task cancelling itself) is delivered at the task's next
 * suspension point. A task that catches the {@code CancellationException} and ends normally is
 * not cancelled. A task ends cancelled when its body throws a {@code CancellationException}.
 * While the task runs {@link Asyncio#shield}, a cancel waits: it is delivered at the task's
 * first suspension point after the shield.
 *
 * <p>Awaiting a task that is cancelled only stops that awaiter; it does not cancel the awaited
 * task (as in kotlinx.coroutines, unlike asyncio), so that many tasks can await one safely.
 *
 * @param <T> the type of the result
 */
public final class Task<T> extends TaskCore {

    Task(EventLoop loop, Object body, String name) {
        super(loop, body, name);
    }

    /**
     * Parks the calling task until this task ends; returns at once if it has ended.
     *
     * @return the task's result
     * @throws RuntimeException the task's unchecked exception, as it is
     * @throws Error the task's error, as it is
     * @throws java.util.concurrent.CompletionException wrapping the task's checked exception
     * @throws java.util.concurrent.CancellationException if the task was cancelled, or if the
     *     calling task is cancelled while it waits
     * @throws IllegalStateException if called outside a task, or by the task on itself
     */
    @Async
    @SuppressWarnings("unchecked")
    public T await() {
        return (T) awaitTask();
    }

    /**
     * The result of a task that has ended, without parking.
     *
     * @return the task's result
     * @throws IllegalStateException if the task has not ended
     * @throws RuntimeException the task's failure, mapped as {@link #await()} maps it
     */
    @SuppressWarnings("unchecked")
    public T result() {
        return (T) resultNow();
    }

    /**
     * Where the task is parked, like {@code asyncio.Task.get_stack()}: the {@code @Async}
     * methods of its logical call chain, from the innermost one, parked in a suspending call, out
     * to the task's body, each with the line of the suspending call it is parked at, as an async
     * stack trace of an exception thrown there would name them. Frames of jasyncio's own
     * primitives ({@code gather}, {@code receive}...) have no source lines and are left out, so
     * a task parked in {@code Asyncio.sleep} lists the method that called {@code sleep} first.
     *
     * <p>A task woken and not run yet ({@code ready}) lists the place where it will resume. A
     * task that has not started, is running (its stack is the thread's) or has ended has an
     * empty stack. Costs nothing until called: the frames the task parked with are read.
     *
     * @return a new unmodifiable list, innermost method first; empty when the task is not
     *     parked or ready to resume
     * @throws IllegalStateException when called on another thread than the loop's: a parked
     *     task's frames can only be read there
     */
    public List<StackTraceElement> stack() {
        return Introspection.stack(this);
    }

    /**
     * What the parked task waits for, in a few words, as the thing it waits on describes it:
     * {@code "sleep, 1.5 s left"}, {@code "task Task-3"}, {@code "Lock held by Task-2"},
     * {@code "Event to be set"}, {@code "Semaphore permit"}, {@code "item from Queue"},
     * {@code "room in Queue (maxSize 10)"}, {@code "Condition signal"},
     * {@code "Barrier, 2 of 3 arrived"}, {@code "gather of 3 tasks, 2 not ended"},
     * {@code "waitFor of Task-5, 0.5 s left"}, {@code "read on DatagramChannel /127.0.0.1:5000"}.
     * The wording is for people and may change; do not parse it.
     *
     * @return the description, or {@code ""} when the task is not parked (not started, ready,
     *     running or ended)
     * @throws IllegalStateException when called on another thread than the loop's
     */
    public String waitingFor() {
        return Introspection.waitingFor(this);
    }

    /**
     * A future of this task's outcome, for code on other threads, like asyncio's
     * {@code wrap_future} the other way round. It completes when the task ends: with its
     * result; exceptionally with its exception as it is (so {@code join} wraps it in a
     * {@code CompletionException}, {@code get} in an {@code ExecutionException}); cancelled
     * with its {@code CancellationException}. The future is safe to use from any thread.
     * Cancelling it (or completing it otherwise) cancels the task, on the loop's thread; the
     * future is then complete at once while the task ends later. Calling this counts as
     * retrieving the task's outcome: a failure passed on to the future is not reported as lost.
     * Each call returns a new future; no task is made for it: the future is completed on the
     * loop's thread as the task ends (actions added to it before then run there and then).
     *
     * @return a new future of the task's outcome
     * @throws IllegalStateException when not called on the thread of the task's loop
     */
    public CompletableFuture<T> toCompletableFuture() {
        return Loop.futureOf(this);
    }
}
