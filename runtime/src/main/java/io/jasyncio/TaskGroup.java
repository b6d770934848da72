package io.jasyncio;

import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.GroupScope;
import java.util.Objects;

/**
 * A scope for child tasks, like asyncio's {@code TaskGroup}, Trio's nursery or kotlinx's
 * {@code coroutineScope}: given to the body of {@link Asyncio#taskGroup}, which does not
 * return until the body and every task created here have ended.
 *
 * <ul>
 * <li>The first failure, of the body or of a child, cancels the body (at its suspension point,
 *     like {@link Task#cancel()}) and every other child; once they have all ended,
 *     {@code taskGroup} throws that failure, with the later ones as suppressed exceptions.
 *     Children's failures are reported as {@link Task#await()} reports them, and count as
 *     retrieved. A child that ends cancelled is not a failure.
 * <li>A cancel of the task running {@code taskGroup} (or an enclosing {@link Asyncio#timeout}
 *     expiring) cancels every child; {@code taskGroup} throws that {@code CancellationException}
 *     once they have all ended.
 * <li>Children may create more children in the same group, until it has ended.
 * </ul>
 * Must be used on the loop's thread.
 */
public final class TaskGroup {
    private final EventLoop loop;
    private final GroupScope scope;

    private TaskGroup(EventLoop loop, AsyncFunction<TaskGroup, ?> body) {
        this.loop = loop;
        this.scope = GroupScope.enter(loop, body, this);
    }

    /** {@code Asyncio.taskGroup}: runs a new group in the calling task; a hand-woven suspending call. */
    static Object run(EventLoop loop, AsyncFunction<TaskGroup, ?> body) {
        return new TaskGroup(loop, body).scope.run();
    }

    /**
     * Schedules {@code body} as a new child task of the group and returns its handle at once,
     * like {@link Asyncio#createTask(AsyncCallable)}. If the group is being cancelled, the
     * child is cancelled at once and never starts.
     *
     * @param body the coroutine
     * @param <T> the type of its result
     * @return the child's handle
     * @throws IllegalStateException if the group has ended, or when called off the loop's thread
     */
    public <T> Task<T> createTask(AsyncCallable<T> body) {
        return spawn(Objects.requireNonNull(body, "body"), null);
    }

    /**
     * Like {@link #createTask(AsyncCallable)} for a body without a result.
     *
     * @param body the coroutine
     * @return the child's handle
     */
    public Task<Void> createTask(AsyncRunnable body) {
        return spawn(Objects.requireNonNull(body, "body"), null);
    }

    /**
     * Like {@link #createTask(AsyncCallable)}, with a name for diagnostics.
     *
     * @param name the child's name
     * @param body the coroutine
     * @param <T> the type of its result
     * @return the child's handle
     */
    public <T> Task<T> createTask(String name, AsyncCallable<T> body) {
        return spawn(Objects.requireNonNull(body, "body"), Objects.requireNonNull(name, "name"));
    }

    /**
     * Like {@link #createTask(AsyncRunnable)}, with a name for diagnostics.
     *
     * @param name the child's name
     * @param body the coroutine
     * @return the child's handle
     */
    public Task<Void> createTask(String name, AsyncRunnable body) {
        return spawn(Objects.requireNonNull(body, "body"), Objects.requireNonNull(name, "name"));
    }

    private <T> Task<T> spawn(Object body, String name) {
        if (EventLoop.current() != loop) {
            throw new IllegalStateException("TaskGroup.createTask must be called on the thread of the group's event loop");
        }
        scope.checkOpen();
        Task<T> task = TaskFactory.newTask(loop, body, name);
        loop.schedule(task);
        scope.adopt(task);
        return task;
    }

    /**
     * Cancels the body (at its suspension point; when called from the body itself, at its next
     * one) and every child, as a failure would, but without being one: when they have all
     * ended, {@code taskGroup} returns the body's result ({@code null} if the body ended by the
     * cancellation) unless something failed. Does nothing once the group has ended, or the
     * second time. Like cancelling the cancel scope of a Trio nursery.
     */
    public void cancel() {
        scope.cancel();
    }

    /**
     * Whether the group cancels its body and children: after a failure or {@link #cancel()}.
     *
     * @return {@code true} once the group is cancelling
     */
    public boolean isCancelled() {
        return scope.isCancelled();
    }
}
