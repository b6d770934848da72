package io.jasyncio;

import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Gathering;
import io.jasyncio.internal.ShieldScope;
import io.jasyncio.internal.SocketIo;
import io.jasyncio.internal.StageAwait;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.TaskTree;
import io.jasyncio.internal.TimeoutScope;
import io.jasyncio.internal.ToThread;
import io.jasyncio.internal.WaitFor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * The entry points of jasyncio, after Python's {@code asyncio} module: run a coroutine on a new
 * event loop, sleep, create tasks, gather them, bound a body by a timeout ({@link #waitFor} in a
 * task of its own, {@link #timeout} in the calling task), shield work from cancellation, run
 * child tasks in a {@link TaskGroup}, and wait for datagrams and TCP connections.
 * {@link io.jasyncio.streams.Streams} builds buffered streams on the TCP calls.
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

    /**
     * Like {@link #createTask(AsyncRunnable)}, with a name for diagnostics.
     *
     * @param name the task's name
     * @param body the coroutine
     * @return the task's handle
     */
    public static Task<Void> createTask(String name, AsyncRunnable body) {
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
     * <p>Gather makes no task of its own: it learns of each task's end as the task ends.
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
        List<T> results = (List<T>) Gathering.gather(loop, tasks);
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
     * The tasks of the running loop that have not ended, like {@code asyncio.all_tasks()}: the
     * calling task, tasks not started yet, ready and parked, oldest first. The body task of
     * {@link #waitFor} is a task too and appears here; {@link #gather} and
     * {@link Task#toCompletableFuture()} make no tasks.
     *
     * @return a new set, in the order the tasks were created; the caller may change it
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static Set<Task<?>> allTasks() {
        Set<Task<?>> tasks = new LinkedHashSet<>();
        for (TaskCore task : EventLoop.require("Asyncio.allTasks").liveTasks()) {
            tasks.add((Task<?>) task);
        }
        return tasks;
    }

    /**
     * Every task of the running loop as a tree of who awaits whom, like Python 3.14's
     * {@code asyncio pstree}: one line per task with its name, state and what it waits for
     * ({@link Task#waitingFor()}), then the methods it is parked in ({@link Task#stack()}), one
     * line each. The children of a task are the tasks it awaits ({@link Task#await()}; the
     * tasks of {@link #gather} not ended; the body of {@link #waitFor}) or, when it waits for a
     * {@link io.jasyncio.sync.Lock}, the task that holds the lock; the roots are the tasks no
     * task waits for, oldest first. For example:
     * <pre>
     * Task-1 (running)
     * Task-2 (parked) waiting for task Task-3
     * |   at demo.Main.lambda$main$1(Main.java:14)
     * \-- Task-3 (parked) waiting for sleep, 1.5 s left
     *         at demo.Main.nap(Main.java:6)
     *         at demo.Main.lambda$main$2(Main.java:15)
     * </pre>
     * A task awaited by several tasks is drawn under the first and named with
     * {@code (see above)} under the others. Tasks that await each other in a cycle can never
     * end: the task that closes a cycle is named with {@code (await cycle, see above)}, and the
     * dump ends with one line per cycle, {@code await cycle: Task-2 -> Task-3 -> Task-2}. A
     * cycle through a lock (tasks that each hold a lock another one waits for) is a lock
     * cycle, marked {@code (lock cycle, see above)} and listed with the wait of each lock edge,
     * {@code lock cycle: A -(Lock held by B)-> B -(Lock held by A)-> A}. The
     * dump stops after 2,000 lines, saying how many tasks it left out. {@link #run} puts this
     * dump in the message of the exception it throws on a deadlock. The wording is for people
     * and may change; the format is deterministic, so a program that uses virtual time can
     * compare it.
     *
     * @return the dump, one line per task and per parked method, each ending in {@code \n}
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static String dumpTasks() {
        return TaskTree.dump(EventLoop.require("Asyncio.dumpTasks").liveTasks());
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
     * <p>Under {@link SimulatedNetwork#run} the datagram comes from the simulated network
     * instead of the kernel (the channel joins it at this call).
     *
     * @param channel the channel to read
     * @param dst where the datagram goes; what does not fit is discarded
     * @return the sender's address
     * @throws IOException as {@link DatagramChannel#receive} throws it; a
     *     {@link java.nio.channels.ClosedChannelException} also when another task closes the
     *     channel while this one waits
     * @throws IllegalStateException when another task waits to read the channel, or when the
     *     loop runs in virtual time without a simulated network (real I/O is not waited for
     *     across jumps of virtual time)
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
     * <p>Under {@link SimulatedNetwork#run} the datagram goes to the simulated network, which
     * delivers it (or not) after a latency, and this call never parks.
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

    // ------------------------------------------------------------------ time, timeouts, shields, task groups

    /**
     * The running loop's clock, in nanoseconds, like {@code loop.time()}: monotonic, and only
     * differences between two values mean anything (it is {@link System#nanoTime()}, or the
     * virtual clock of a test loop). Deadlines for {@link #timeoutAt} are on this clock.
     *
     * @return the loop's current time in nanoseconds
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static long time() {
        return EventLoop.require("Asyncio.time").now();
    }

    /**
     * Runs {@code body} in the calling task, cancelling it if it has not finished after
     * {@code timeout}, like {@code asyncio.timeout}. Unlike {@link #waitFor}, no task is made:
     * when the deadline passes, the body gets a {@code CancellationException} at the
     * suspension point where it is parked (its {@code catch} and {@code finally} blocks run,
     * and may park to clean up), and when it has ended this call throws a
     * {@link TimeoutException}. A body that never parks is never interrupted.
     *
     * <p>Scopes nest. When an enclosing timeout expires while this one is active, its
     * cancellation passes through this scope and the enclosing one throws its
     * {@code TimeoutException}; when both expire, the outermost wins. When this one expires
     * first, its {@code TimeoutException} is thrown here, and the code around may catch it and
     * go on. A body that catches the cancellation and returns normally after the deadline
     * still ends in a {@code TimeoutException}; one that fails with another exception after the
     * deadline has that exception as the {@code TimeoutException}'s cause. A
     * {@link Task#cancel()} of the calling task stays a {@code CancellationException}, never
     * becomes a timeout. Inside {@link #shield}, an enclosing timeout waits until the shield
     * exits.
     *
     * @param timeout how long the body may run, not negative; {@code Duration.ZERO} lets it
     *     run only until it first parks
     * @param body the coroutine, usually a lambda
     * @param <T> the type of its result
     * @return what the body returned
     * @throws TimeoutException if the deadline passed before the body finished; its message
     *     names the timeout
     * @throws java.util.concurrent.CancellationException if the calling task is cancelled, or
     *     an enclosing scope cancels it
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T timeout(Duration timeout, AsyncCallable<T> body) throws TimeoutException {
        return timeoutScope(timeout, Objects.requireNonNull(body, "body"));
    }

    /**
     * Like {@link #timeout(Duration, AsyncCallable)} for a body without a result.
     *
     * @param timeout how long the body may run, not negative
     * @param body the coroutine
     * @throws TimeoutException if the deadline passed before the body finished
     */
    @Async
    public static void timeout(Duration timeout, AsyncRunnable body) throws TimeoutException {
        timeoutScope(timeout, Objects.requireNonNull(body, "body"));
    }

    @Async
    private static <T> T timeoutScope(Duration timeout, Object body) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("Asyncio.timeout: timeout is negative: " + timeout);
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.timeout");
        long nanos;
        try {
            nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 4;
        }
        @SuppressWarnings("unchecked")
        T result = (T) TimeoutScope.timeout(loop, "Asyncio.timeout", loop.now() + nanos, timeout, body);
        return result;
    }

    /**
     * Like {@link #timeout(Duration, AsyncCallable)} with a deadline on the loop's clock
     * ({@link #time()}) instead of a duration, like {@code asyncio.timeout_at}. A deadline that
     * has passed already cancels the body when it first parks.
     *
     * @param deadline when to cancel the body, in nanoseconds of {@link #time()}
     * @param body the coroutine
     * @param <T> the type of its result
     * @return what the body returned
     * @throws TimeoutException if the deadline passed before the body finished; its message
     *     names how long the body was given
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T timeoutAt(long deadline, AsyncCallable<T> body) throws TimeoutException {
        return timeoutAtScope(deadline, Objects.requireNonNull(body, "body"));
    }

    /**
     * Like {@link #timeoutAt(long, AsyncCallable)} for a body without a result.
     *
     * @param deadline when to cancel the body, in nanoseconds of {@link #time()}
     * @param body the coroutine
     * @throws TimeoutException if the deadline passed before the body finished
     */
    @Async
    public static void timeoutAt(long deadline, AsyncRunnable body) throws TimeoutException {
        timeoutAtScope(deadline, Objects.requireNonNull(body, "body"));
    }

    @Async
    private static <T> T timeoutAtScope(long deadline, Object body) {
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.timeoutAt");
        Duration given = Duration.ofNanos(Math.max(0, deadline - loop.now()));
        @SuppressWarnings("unchecked")
        T result = (T) TimeoutScope.timeout(loop, "Asyncio.timeoutAt", deadline, given, body);
        return result;
    }

    /**
     * Runs {@code body} in the calling task, protected from cancellation: work that must
     * finish, such as a clean-up or a commit. A {@link Task#cancel()} of the calling task, or
     * an enclosing timeout or task group cancelling it, while the body runs does not interrupt
     * the body; it is delivered at the task's first suspension point after the shield returns
     * (so the body's result is returned to the caller first, who may keep it). Timeouts and
     * task groups inside the body still cancel their own bodies.
     *
     * <p>Unlike {@code asyncio.shield}, which runs the work as another task and lets the caller
     * be cancelled at once, leaving that task running on its own (and its exception unseen),
     * nothing is left behind: the caller itself waits for the work, as in a Trio cancel scope
     * with {@code shield=True}. When {@link #run} ends (main ended, or a deadlock) while a
     * shielded body waits for something that can no longer happen, the shield gives way, so
     * that {@code run} returns.
     *
     * @param body the coroutine
     * @param <T> the type of its result
     * @return what the body returned
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T shield(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.shield");
        @SuppressWarnings("unchecked")
        T result = (T) ShieldScope.shield(loop, body);
        return result;
    }

    /**
     * Like {@link #shield(AsyncCallable)} for a body without a result.
     *
     * @param body the coroutine
     */
    @Async
    public static void shield(AsyncRunnable body) {
        Objects.requireNonNull(body, "body");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.shield");
        ShieldScope.shield(loop, body);
    }

    /**
     * Runs {@code body} in the calling task with a new {@link TaskGroup} for child tasks, and
     * returns only when the body and every child have ended, like asyncio's {@code TaskGroup}
     * ({@code async with TaskGroup() as group:}) or kotlinx's {@code coroutineScope}. The first
     * failure cancels the body and every other child and is thrown once they have all ended,
     * with later failures as suppressed exceptions; see {@link TaskGroup}.
     *
     * <p>A body with nothing to return returns {@code null}: {@code group -> { ...; return null; }}
     * (there is no overload for a body without a result, as a lambda such as
     * {@code group -> group.createTask(work)} would match both).
     *
     * @param body the coroutine, given the group
     * @param <T> the type of its result
     * @return what the body returned
     * @throws RuntimeException the first failure: the body's as it is, a child's mapped as
     *     {@link Task#await()} maps it
     * @throws java.util.concurrent.CancellationException if the calling task is cancelled (once
     *     every child has ended)
     * @throws IllegalStateException when called outside a task
     */
    @Async
    public static <T> T taskGroup(AsyncFunction<TaskGroup, T> body) {
        Objects.requireNonNull(body, "body");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.taskGroup");
        @SuppressWarnings("unchecked")
        T result = (T) TaskGroup.run(loop, body);
        return result;
    }

    // ------------------------------------------------------------------ TCP (loop.sock_*)

    /**
     * Parks until a connection arrives on {@code server} and returns it, like
     * {@code loop.sock_accept}. Puts {@code server} in non-blocking mode; the channel returned
     * is non-blocking too. Only one task at a time may accept on a channel.
     *
     * <p>Cancelled while it waits (even after a connection arrived but before the task ran), it
     * has accepted nothing: the connection stays queued for the next {@code accept}.
     *
     * @param server a bound server channel
     * @return the new connection, non-blocking
     * @throws IOException as {@link ServerSocketChannel#accept} throws it; a
     *     {@link java.nio.channels.ClosedChannelException} also when another task closes
     *     {@code server} while this one waits
     * @throws IllegalStateException when another task is already waiting to accept on
     *     {@code server} (the message names both tasks and the channel)
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     * @throws IllegalStateException also on a loop in virtual time without a {@link SimulatedNetwork}:
     *     real I/O is not waited for across jumps of virtual time (on a simulated network the
     *     connection's bytes travel through the network instead; see there)
     */
    @Async
    public static SocketChannel accept(ServerSocketChannel server) throws IOException {
        Objects.requireNonNull(server, "server");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.accept");
        return SocketIo.accept(loop, server);
    }

    /**
     * Connects {@code channel} to {@code remote}, parking until the connection is made, like
     * {@code loop.sock_connect}. Puts the channel in non-blocking mode. A cancelled connect
     * leaves the channel connection-pending: close it.
     *
     * @param channel an unconnected channel
     * @param remote the address to connect to, resolved
     * @throws java.net.ConnectException when the connection is refused; its message names
     *     {@code remote} ({@code connect to /127.0.0.1:1 failed: Connection refused}); the
     *     channel is then closed
     * @throws IOException as {@link SocketChannel#connect} and {@link SocketChannel#finishConnect}
     *     throw it
     * @throws IllegalStateException when another task is writing to or connecting the channel
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     * @throws IllegalStateException also on a loop in virtual time without a {@link SimulatedNetwork}:
     *     real I/O is not waited for across jumps of virtual time (on a simulated network the
     *     connection's bytes travel through the network instead; see there)
     */
    @Async
    public static void connect(SocketChannel channel, SocketAddress remote) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(remote, "remote");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.connect");
        SocketIo.connect(loop, channel, remote);
    }

    /**
     * Reads into {@code dst} like {@link SocketChannel#read}, parking until at least one byte
     * has come or the peer has closed its side, like {@code loop.sock_recv_into}. Puts the
     * channel in non-blocking mode.
     *
     * <p>A read cancelled while it waits has read nothing, even when the bytes had arrived and
     * the task was about to run: bytes are taken from the socket only when the task runs, so
     * they stay there for the next read.
     *
     * @param channel a connected channel
     * @param dst where the bytes go, from its position; when it has no room left, returns 0 at once
     * @return the number of bytes read, at least 1; -1 at the end of the stream; 0 only when
     *     {@code dst} has no room
     * @throws IOException as {@link SocketChannel#read} throws it; a
     *     {@link java.nio.channels.ClosedChannelException} also when another task closes the
     *     channel while this one waits
     * @throws IllegalStateException when another task is already inside a read of
     *     {@code channel} (parked, or woken and not yet run); the message names both tasks and
     *     the channel
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     * @throws IllegalStateException also on a loop in virtual time without a {@link SimulatedNetwork}:
     *     real I/O is not waited for across jumps of virtual time (on a simulated network the
     *     connection's bytes travel through the network instead; see there)
     */
    @Async
    public static int read(SocketChannel channel, ByteBuffer dst) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(dst, "dst");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.read");
        return SocketIo.read(loop, channel, dst);
    }

    /**
     * Writes every remaining byte of {@code src}, parking while the socket's send buffer is
     * full, like {@code loop.sock_sendall}. Puts the channel in non-blocking mode. Returns
     * with {@code src} fully consumed.
     *
     * <p>A write cancelled while it waits may have written part of {@code src}: its position
     * tells how much went out.
     *
     * @param channel a connected channel
     * @param src the bytes, from its position to its limit
     * @throws IOException as {@link SocketChannel#write} throws it (the peer reset the
     *     connection, the channel was closed meanwhile)
     * @throws IllegalStateException when another task is already inside a write of
     *     {@code channel}; the message names both tasks and the channel
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     * @throws IllegalStateException also on a loop in virtual time without a {@link SimulatedNetwork}:
     *     real I/O is not waited for across jumps of virtual time (on a simulated network the
     *     connection's bytes travel through the network instead; see there)
     */
    @Async
    public static void write(SocketChannel channel, ByteBuffer src) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(src, "src");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.write");
        SocketIo.write(loop, channel, src);
    }
}
