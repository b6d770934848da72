package io.jasyncio.internal;

import io.jasyncio.internal.EventLoop.ChannelWait;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The TCP primitives behind {@code Asyncio.accept}, {@code connect}, {@code read} and
 * {@code write}, hand-woven against the woven-code ABI on the loop's channel waits.
 *
 * <h2>Each call</h2>
 * A call first tries the operation on the non-blocking channel; only when it cannot make
 * progress does it park on the channel's {@link ChannelWait} with a frame of its own, whose
 * {@link Resumer} tries again when the task runs. Like {@code receive} and {@code send}, a
 * parked call spills into the task's own frame slot (or a frame when the slot is taken) and
 * into the channel's arrays, {@code {channel, buffer or address, wait}}, so parking allocates
 * nothing.
 *
 * <h2>Cancellation loses no bytes</h2>
 * The selector only makes a parked task ready; the bytes (or the connection) are taken by the
 * resumer, which runs when the task itself runs, after it has checked whether the task was
 * cancelled meanwhile. So a read cancelled while parked, or after the channel became readable
 * but before the task ran, has read nothing: the bytes stay in the socket for the next read.
 * A cancelled write may have written part of its buffer (the buffer's position says how much);
 * a cancelled connect leaves the channel connection-pending.
 *
 * <h2>One reader and one writer</h2>
 * {@link ChannelWait#reading} (and {@code writing}) holds the task inside a read or accept
 * (a write or connect) from its first park until the call returns, woken or not: another task
 * starting one then gets an {@code IllegalStateException} naming both tasks and the channel,
 * even when the channel could serve it at once, since it would take the first one's bytes (or
 * put its own between the first one's). Rejected: tracking this with the parked reader alone,
 * which the selector forgets when it wakes the task, before the task has taken its bytes.
 *
 * <p>On a simulated network ({@link EventLoop#network}) each call goes to {@link SimulatedTcp}
 * instead, after one null check.
 */
public final class SocketIo {
    private SocketIo() {}

    /** {@code Asyncio.accept}: a connection now, or parks until one arrives. */
    public static SocketChannel accept(EventLoop loop, ServerSocketChannel server) throws IOException {
        if (loop.network != null) {
            return loop.network.tcp.accept(loop, server);
        }
        ChannelWait wait = prepare(loop, server);
        TaskCore task = loop.current;
        TaskCore other = wait.reading;
        if (other != null && other != task) {
            throw wait.busy(task, other, "accept on");
        }
        SocketChannel accepted = server.accept();
        if (accepted != null) {
            accepted.configureBlocking(false);
            return accepted;
        }
        wait.reading = task;
        loop.awaitChannel(wait, SelectionKey.OP_ACCEPT, EventLoop.primitiveFrame(task, ACCEPT, wait.readRefs));
        return null;
    }

    private static final Resumer ACCEPT = frame -> {
        if (frame == null) {
            return null; // asked to describe itself (AsyncStackTrace): a primitive has no source lines
        }
        EventLoop loop = EventLoop.current();
        ChannelWait wait = (ChannelWait) frame.refs[2];
        SocketChannel accepted;
        try {
            Coroutines.resumeValue(loop);
            accepted = ((ServerSocketChannel) frame.refs[0]).accept();
            if (accepted != null) {
                accepted.configureBlocking(false);
            }
        } catch (Throwable failure) {
            wait.reading = null;
            throw failure;
        }
        if (accepted == null) {
            loop.awaitChannel(wait, SelectionKey.OP_ACCEPT, frame);
            return null;
        }
        wait.reading = null;
        return accepted;
    };

    /** {@code Asyncio.connect}: connects now, or parks until the connection is made or refused. */
    public static void connect(EventLoop loop, SocketChannel channel, SocketAddress remote) throws IOException {
        if (loop.network != null) {
            loop.network.tcp.connect(loop, channel, remote);
            return;
        }
        ChannelWait wait = prepare(loop, channel);
        TaskCore task = loop.current;
        checkWriter(wait, task);
        boolean connected;
        try {
            connected = channel.connect(remote);
        } catch (ConnectException refused) {
            throw connectFailed(remote, refused);
        }
        if (connected) {
            return;
        }
        Object[] refs = wait.writeRefs;
        refs[1] = remote;
        refs[2] = wait;
        wait.writing = task;
        loop.awaitChannel(wait, SelectionKey.OP_CONNECT, EventLoop.primitiveFrame(task, CONNECT, refs));
    }

    private static final Resumer CONNECT = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        ChannelWait wait = (ChannelWait) refs[2];
        boolean connected;
        try {
            Coroutines.resumeValue(loop);
            connected = ((SocketChannel) refs[0]).finishConnect();
        } catch (Throwable failure) {
            SocketAddress remote = (SocketAddress) refs[1];
            refs[1] = null;
            wait.writing = null;
            throw failure instanceof ConnectException ? connectFailed(remote, (ConnectException) failure) : failure;
        }
        if (!connected) {
            loop.awaitChannel(wait, SelectionKey.OP_CONNECT, frame);
            return null;
        }
        refs[1] = null;
        wait.writing = null;
        wait.forget(SelectionKey.OP_CONNECT);
        return null;
    };

    /** The JDK's message ("Connection refused") with the address it was refused by. */
    private static ConnectException connectFailed(SocketAddress remote, ConnectException failure) {
        ConnectException named = new ConnectException("connect to " + remote + " failed: " + failure.getMessage());
        named.initCause(failure);
        return named;
    }

    /** {@code Asyncio.read}: reads what is there now, or parks until at least one byte or the end of the stream. */
    public static int read(EventLoop loop, SocketChannel channel, ByteBuffer dst) throws IOException {
        if (loop.network != null) {
            return loop.network.tcp.read(loop, channel, dst);
        }
        ChannelWait wait = prepare(loop, channel);
        TaskCore task = loop.current;
        checkReader(wait, task);
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!wait.guessEmpty) {
            int count = channel.read(dst);
            if (count != 0) {
                return count;
            }
            wait.guessEmpty = true;
        }
        Object[] refs = wait.readRefs;
        refs[1] = dst;
        wait.reading = task;
        wait.readParkedAt = loop.steps;
        loop.awaitChannel(wait, SelectionKey.OP_READ, EventLoop.primitiveFrame(task, READ, refs));
        return 0;
    }

    private static final Resumer READ = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        ChannelWait wait = (ChannelWait) refs[2];
        int count;
        try {
            Coroutines.resumeValue(loop); // throws the CancellationException before any byte is read
            if (loop.steps - wait.readParkedAt <= 1) {
                wait.guessEmpty = false; // ready at the very next select: trying first would have paid
            }
            count = ((SocketChannel) refs[0]).read((ByteBuffer) refs[1]);
        } catch (Throwable failure) {
            refs[1] = null;
            wait.reading = null;
            throw failure;
        }
        if (count == 0) {
            wait.readParkedAt = loop.steps;
            loop.awaitChannel(wait, SelectionKey.OP_READ, frame);
            return 0;
        }
        refs[1] = null;
        wait.reading = null;
        return count;
    };

    /** {@code Asyncio.write}: writes every remaining byte of {@code src}, parking while the socket cannot take more. */
    public static void write(EventLoop loop, SocketChannel channel, ByteBuffer src) throws IOException {
        if (loop.network != null) {
            loop.network.tcp.write(loop, channel, src);
            return;
        }
        ChannelWait wait = prepare(loop, channel);
        TaskCore task = loop.current;
        checkWriter(wait, task);
        while (src.hasRemaining()) {
            if (channel.write(src) == 0) {
                Object[] refs = wait.writeRefs;
                refs[1] = src;
                refs[2] = wait;
                wait.writing = task;
                loop.awaitChannel(wait, SelectionKey.OP_WRITE, EventLoop.primitiveFrame(task, WRITE, refs));
                return;
            }
        }
    }

    private static final Resumer WRITE = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        ChannelWait wait = (ChannelWait) refs[2];
        ByteBuffer src = (ByteBuffer) refs[1];
        try {
            Coroutines.resumeValue(loop);
            SocketChannel channel = (SocketChannel) refs[0];
            while (src.hasRemaining()) {
                if (channel.write(src) == 0) {
                    loop.awaitChannel(wait, SelectionKey.OP_WRITE, frame);
                    return null;
                }
            }
        } catch (Throwable failure) {
            refs[1] = null;
            wait.writing = null;
            throw failure;
        }
        refs[1] = null;
        wait.writing = null;
        return null;
    };

    /**
     * Parks the current task until {@code channel} can be written to, without writing; for the
     * stream layer's background flush. The caller spills its own frame after this. On a
     * simulated network it parks until the connection's window has room (see {@link SimulatedTcp}).
     */
    public static void awaitWritable(EventLoop loop, SocketChannel channel) throws IOException {
        if (loop.network != null) {
            loop.network.tcp.awaitWritable(loop, channel);
            return;
        }
        ChannelWait wait = prepare(loop, channel);
        checkWriter(wait, loop.current);
        loop.awaitChannel(wait, SelectionKey.OP_WRITE, null);
    }

    /**
     * Writes what the socket takes now without parking, like {@link SocketChannel#write}; on a
     * simulated network what the connection's window has room for (see {@link SimulatedTcp}).
     * For the streams layer.
     */
    public static int writeNow(SocketChannel channel, ByteBuffer src) throws IOException {
        EventLoop loop = EventLoop.current();
        if (loop != null && loop.network != null) {
            return loop.network.tcp.writeNow(channel, src);
        }
        return channel.write(src);
    }

    /**
     * Shuts the channel's output down, like {@link SocketChannel#shutdownOutput}; on a
     * simulated network the end of the stream then follows the bytes in flight. For the streams layer.
     */
    public static void shutdownOutput(SocketChannel channel) throws IOException {
        EventLoop loop = EventLoop.current();
        if (loop != null && loop.network != null) {
            loop.network.tcp.shutdownOutput(channel);
        } else {
            channel.shutdownOutput();
        }
    }

    /** Puts {@code channel} in non-blocking mode and returns its registration with the loop. */
    private static ChannelWait prepare(EventLoop loop, SelectableChannel channel) throws IOException {
        if (channel.isBlocking()) {
            channel.configureBlocking(false);
        }
        return loop.channelWait(channel);
    }

    private static void checkReader(ChannelWait wait, TaskCore task) {
        TaskCore other = wait.reading;
        if (other != null && other != task) {
            throw wait.busy(task, other, "read");
        }
    }

    private static void checkWriter(ChannelWait wait, TaskCore task) {
        TaskCore other = wait.writing;
        if (other != null && other != task) {
            throw wait.busy(task, other, "write");
        }
    }
}
