package io.jasyncio;

import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Gathering;
import io.jasyncio.internal.SocketIo;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitFor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The entry points of jasyncio, after Python's {@code asyncio} module: run a coroutine on a new
 * event loop, sleep, create tasks, gather them, bound a body by a timeout, and wait for
 * datagrams and TCP connections. {@link io.jasyncio.streams.Streams} builds buffered streams
 * on the TCP calls.
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
     */
    @Async
    public static void write(SocketChannel channel, ByteBuffer src) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(src, "src");
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.write");
        SocketIo.write(loop, channel, src);
    }
}
