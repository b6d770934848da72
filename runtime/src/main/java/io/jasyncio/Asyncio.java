package io.jasyncio;

import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Gathering;
import io.jasyncio.internal.StageAwait;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.ToThread;
import io.jasyncio.internal.WaitFor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * The entry points of jasyncio, after Python's {@code asyncio} module: run a coroutine on a new
 * event loop, sleep, create tasks, gather them, bound a body by a timeout, and wait for
 * datagrams.
 *
 * <p>Methods marked {@link Async} are suspending calls: they may park the calling task, and may
 * only be called from {@code @Async} methods (and lambdas of {@code @Async} interfaces) running
 * in a task.
 */
public final class Asyncio {
    private Asyncio() {}

    /**
     * Makes a new event loop on the calling thread, runs {@code main} as a task until it ends,
     * then cancels every other task still pending and lets them finish (their {@code finally}
     * blocks run), closes the loop and returns main's result.
     *
     * @param main the coroutine to run, usually a lambda
     * @param <T> the type of the result
     * @return what {@code main} returned
     * @throws RuntimeException main's unchecked exception, as it is; a checked one wrapped in
     *     {@link java.util.concurrent.CompletionException}
     * @throws IllegalStateException when a loop is already running on this thread, or when no
     *     task can ever wake up again (a deadlock: every task is then cancelled, so their
     *     {@code finally} blocks run, before this is thrown)
     */
    public static <T> T run(AsyncCallable<T> main) {
        Objects.requireNonNull(main, "main");
        return EventLoop.run(loop -> spawn(loop, main, null));
    }

    /**
     * Like {@link #run(AsyncCallable)} for a body without a result.
     *
     * @param main the coroutine to run
     */
    public static void run(AsyncRunnable main) {
        Objects.requireNonNull(main, "main");
        EventLoop.run(loop -> spawn(loop, main, null));
    }

    /**
     * Parks the calling task for at least {@code delay}. {@code Duration.ZERO} only lets every
     * other ready task run once, like {@code asyncio.sleep(0)}.
     *
     * @param delay how long to sleep, not negative
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws java.util.concurrent.CancellationException if the task is cancelled meanwhile
     */
    @Async
    public static void sleep(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        long nanos = 0;
        if (!delay.isZero()) { // sleep(ZERO), the yield, is the call worth a fast path
            if (delay.isNegative()) {
                throw new IllegalArgumentException("sleep delay is negative: " + delay);
            }
            try {
                nanos = Math.min(delay.toNanos(), Long.MAX_VALUE / 4);
            } catch (ArithmeticException tooLong) {
                nanos = Long.MAX_VALUE / 4;
            }
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.sleep");
        loop.sleep(nanos);
    }

    /**
     * Parks the calling task for at least {@code millis} milliseconds; see {@link #sleep(Duration)}.
     *
     * @param millis how long to sleep, not negative
     */
    @Async
    public static void sleep(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("sleep delay is negative: " + millis + " ms");
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.sleep");
        loop.sleep(Math.min(millis, Long.MAX_VALUE / 4_000_000) * 1_000_000);
    }

    /**
     * Schedules {@code body} as a new task on the running loop and returns its handle at once.
     * Not a suspending call: the new task first runs after the caller next parks, after every
     * task already ready.
     *
     * @param body the coroutine
     * @param <T> the type of its result
     * @return the task's handle
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static <T> Task<T> createTask(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return spawn(EventLoop.require("Asyncio.createTask"), body, null);
    }

    /**
     * Like {@link #createTask(AsyncCallable)} for a body without a result.
     *
     * @param body the coroutine
     * @return the task's handle
     */
    public static Task<Void> createTask(AsyncRunnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(EventLoop.require("Asyncio.createTask"), body, null);
    }

    /**
     * Like {@link #createTask(AsyncCallable)}, with a name for diagnostics.
     *
     * @param name the task's name
     * @param body the coroutine
     * @param <T> the type of its result
     * @return the task's handle
     */
    public static <T> Task<T> createTask(String name, AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return spawn(EventLoop.require("Asyncio.createTask"), body, Objects.requireNonNull(name, "name"));
    }

    private static <T> Task<T> spawn(EventLoop loop, Object body, String name) {
        Task<T> task = TaskFactory.newTask(loop, body, name);
        loop.schedule(task);
        return task;
    }

    /**
     * Awaits every task of {@code tasks} and returns their results in the order given, like
     * {@code asyncio.gather}. The tasks are watched all at once: as soon as one of them ends
     * with an exception (a {@code CancellationException} too), every other one that has not
     * ended is cancelled; when all of them have ended, that first failure is thrown, with the
     * failures of the others (other than cancellations) added as suppressed exceptions. So no
     * task given to gather runs on after gather has thrown. If the calling task is cancelled
     * while it waits, every task given is cancelled too, and the caller's
     * {@code CancellationException} is thrown once they have all ended. Every task's outcome
     * counts as retrieved. Returns without parking when every task has ended already.
     *
     * <p>While it waits, gather runs one small watcher task per task given, named
     * {@code gather:<task name>}, which awaits it.
     *
     * @param tasks the tasks to await, of this loop; the same task may appear more than once
     * @param <T> the type of the results
     * @return a new list of the results, in the order of {@code tasks}; empty for no tasks
     * @throws RuntimeException the first failure, mapped as {@link Task#await()} maps it: an
     *     unchecked exception as it is, a checked one wrapped in
     *     {@link java.util.concurrent.CompletionException}
     * @throws java.util.concurrent.CancellationException if a task was cancelled (by someone
     *     else) before any other failed, or if the calling task is cancelled while it waits
     * @throws IllegalArgumentException if a task belongs to another loop or is the calling task
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> List<T> gather(List<? extends Task<? extends T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.gather");
        @SuppressWarnings("unchecked")
        List<T> results = (List<T>) Gathering.gather(loop, tasks, (watcher, name) -> spawn(loop, watcher, name));
        return results;
    }

    /**
     * Like {@link #gather(List)} for tasks given one by one: {@code gather(first, second)}.
     *
     * @param tasks the tasks to await
     * @param <T> the type of the results
     * @return a new list of the results, in the order given
     */
    @Async
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, through the list view of Arrays.asList
    public static <T> List<T> gather(Task<? extends T>... tasks) {
        return gather(Arrays.asList(Objects.requireNonNull(tasks, "tasks")));
    }

    /**
     * Runs {@code body} as a task of its own and returns its result, like
     * {@code asyncio.wait_for}. If it has not finished {@code timeout} after the call, it is
     * cancelled, this call waits for it to end (its {@code finally} blocks run), and throws
     * {@link TimeoutException}. A result that arrives in the same loop step as the timeout
     * wins over it. If the calling task is cancelled while it waits, the body is cancelled
     * too, and the caller's {@code CancellationException} is thrown once the body has ended.
     *
     * <p>A body that catches its cancellation and returns normally after the timeout still
     * ends in a {@code TimeoutException}; one that fails with another exception while it is
     * cancelled has that exception as the {@code TimeoutException}'s cause.
     *
     * @param timeout how long the body may run, not negative; {@code Duration.ZERO} lets it
     *     run only until it first parks
     * @param body the coroutine, usually a lambda
     * @param <T> the type of its result
     * @return what the body returned
     * @throws TimeoutException if the body did not finish in time; its message names the timeout
     * @throws RuntimeException the body's exception, mapped as {@link Task#await()} maps it
     * @throws java.util.concurrent.CancellationException if the calling task is cancelled
     *     while it waits
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T waitFor(Duration timeout, AsyncCallable<T> body) throws TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("Asyncio.waitFor: timeout is negative: " + timeout);
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.waitFor");
        @SuppressWarnings("unchecked")
        T result = (T) WaitFor.waitFor(loop, timeout, body, wrapped -> spawn(loop, wrapped, null));
        return result;
    }

    /**
     * The task that is running now.
     *
     * @return the current task
     * @throws IllegalStateException outside a task
     */
    public static Task<?> currentTask() {
        TaskCore task = EventLoop.require("Asyncio.currentTask").currentTask("Asyncio.currentTask");
        return (Task<?>) task;
    }

    /**
     * The loop running on this thread, as other threads may reach it, like asyncio's
     * {@code get_running_loop}. Always the same object for one loop.
     *
     * @return the running loop
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static Loop runningLoop() {
        return Loop.of(EventLoop.require("Asyncio.runningLoop"));
    }

    /**
     * Runs blocking {@code work} on a thread of the loop's default executor and parks the
     * calling task until it has ended, like asyncio's {@code to_thread}; other tasks run
     * meanwhile. The default executor has up to {@code min(32, processors + 4)} daemon threads;
     * it is made on first use and shut down when {@code run} ends. While the work runs, the
     * loop's deadlock detection does not fire.
     *
     * <p>Cancellation: if the calling task is cancelled before the work started, the work never
     * starts; once it runs, its thread is interrupted, and the task waits for it to return or
     * throw before its {@code CancellationException} is thrown (the work's failure, other than
     * an {@code InterruptedException}, suppressed in it). So no work outlives the task that
     * asked for it, and {@code run} does not return while work of its tasks still runs; work
     * that ignores interrupts delays the cancel until it returns.
     *
     * @param work the blocking work; it runs on another thread, so it must not touch the loop's
     *     tasks or primitives (use {@link Loop#callSoonThreadsafe} for that)
     * @param <T> the type of its result
     * @return what {@code work} returned
     * @throws RuntimeException the work's exception, mapped as {@link Task#await()} maps a
     *     task's: an unchecked one as it is, a checked one wrapped in
     *     {@link java.util.concurrent.CompletionException}
     * @throws java.util.concurrent.CancellationException if the calling task is cancelled
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T toThread(Callable<T> work) {
        Objects.requireNonNull(work, "work");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.toThread");
        @SuppressWarnings("unchecked")
        T result = (T) ToThread.toThread(loop, work, null);
        return result;
    }

    /**
     * Like {@link #toThread(Callable)} on {@code executor} (asyncio's {@code run_in_executor}).
     * The executor is the caller's: the loop does not shut it down. An executor that runs the
     * work on the calling thread blocks the loop meanwhile.
     *
     * @param work the blocking work
     * @param executor where it runs
     * @param <T> the type of its result
     * @return what {@code work} returned
     * @throws java.util.concurrent.RejectedExecutionException as {@code executor} throws it,
     *     before parking
     */
    @Async
    public static <T> T toThread(Callable<T> work, Executor executor) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(executor, "executor");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.toThread");
        @SuppressWarnings("unchecked")
        T result = (T) ToThread.toThread(loop, work, executor);
        return result;
    }

    /**
     * Parks until {@code stage} completes, on whatever thread, and returns its result; returns at
     * once when it is complete already. Like awaiting a future wrapped by asyncio's
     * {@code wrap_future}. While it waits, the loop's deadlock detection does not fire: awaiting
     * a {@code CompletableFuture} that another thread completes is the way to wait for that
     * thread.
     *
     * <p>Cancellation: if the calling task is cancelled while it waits, it stops waiting at once
     * and the stage's {@code CompletableFuture} ({@link CompletionStage#toCompletableFuture()})
     * is cancelled, as a future awaited by one task is usually that task's own work. To leave
     * the future running, await a copy: {@code Asyncio.await(future.copy())}.
     *
     * @param stage the stage to wait for
     * @param <T> the type of its result
     * @return the stage's result
     * @throws RuntimeException the stage's exception, mapped as {@link Task#await()} maps a
     *     task's: the cause of a {@link java.util.concurrent.CompletionException} is taken
     *     out; an unchecked exception is thrown as it is, a checked one wrapped in a
     *     {@code CompletionException}
     * @throws java.util.concurrent.CancellationException if the stage was cancelled, or the
     *     calling task is cancelled while it waits
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T await(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.await");
        @SuppressWarnings("unchecked")
        T result = (T) StageAwait.await(loop, stage);
        return result;
    }

    /**
     * Parks until a datagram is available on {@code channel}, reads it into {@code dst} like
     * {@link DatagramChannel#receive} and returns the sender's address ({@code loop.sock_recvfrom}).
     * Puts the channel in non-blocking mode. Only one task at a time may wait to read a channel;
     * a second one gets an {@code IllegalStateException}.
     *
     * @param channel the channel to read
     * @param dst where the datagram goes; what does not fit is discarded
     * @return the sender's address
     * @throws IOException as {@link DatagramChannel#receive} throws it; a
     *     {@link java.nio.channels.ClosedChannelException} also when another task closes the
     *     channel while this one waits
     */
    @Async
    public static SocketAddress receive(DatagramChannel channel, ByteBuffer dst) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(dst, "dst");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.receive");
        return loop.receive(channel, dst);
    }

    /**
     * Sends one datagram, parking while the channel cannot take it ({@code loop.sock_sendto}).
     * Puts the channel in non-blocking mode.
     *
     * @param channel the channel to send on
     * @param src the datagram
     * @param target where to send it
     * @throws IOException as {@link DatagramChannel#send} throws it; a
     *     {@link java.nio.channels.ClosedChannelException} also when another task closes the
     *     channel while this one waits
     */
    @Async
    public static void send(DatagramChannel channel, ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(target, "target");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.send");
        loop.send(channel, src, target);
    }
}
