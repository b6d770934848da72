package io.jasyncio.streams;

import io.jasyncio.Async;
import io.jasyncio.AsyncCallable;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.SocketIo;
import io.jasyncio.sync.Event;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The writing half of a TCP connection, like {@code asyncio.StreamWriter}: {@link #write}
 * never parks, {@link #drain()} parks while too much is buffered, {@link #close()} closes the
 * connection once the buffered bytes are sent.
 *
 * <h2>Overview</h2>
 * {@code write} first offers the bytes to the socket directly; what the socket cannot take at
 * once goes into a buffer, and a flush task (named {@code flush <remote address>}) sends it in
 * the background, parking while the socket is full, so buffered bytes go out even when nobody
 * calls {@code drain}. The flush task exists only while bytes are buffered: a writer whose
 * peer keeps up costs no task. {@code drain} waits until the buffer is at most the
 * {@linkplain #highWater() high-water mark} (64 KiB); it then stays that way until more is
 * written. A failure of the socket (the peer reset the connection) is kept: the writer closes
 * the channel, and every later {@code write}, {@code drain} and {@code waitClosed} throws an
 * {@code IOException} whose cause is that failure.
 *
 * <p>Rejected: writing the buffer from {@code drain} only (bytes buffered by a task that does
 * not drain would never go out, and a peer waiting for them would wait for ever); a flush
 * task per writer for its whole life (a parked task per idle connection).
 *
 * <p>Must be used on the loop's thread, by tasks of one loop.
 */
public final class StreamWriter {
    /** The default high-water mark of {@link #drain()}: 64 KiB, as in asyncio. */
    public static final int DEFAULT_HIGH_WATER = 64 * 1024;

    private static final Resumer FLUSH = frame -> frame == null ? null : ((StreamWriter) frame.refs[0]).flush(frame);
    private static final Resumer DRAIN = frame -> frame == null ? null : ((StreamWriter) frame.refs[0]).drain(frame);
    private static final Resumer WAIT_CLOSED = frame -> frame == null ? null
            : ((StreamWriter) frame.refs[0]).waitClosed(frame);

    private final SocketChannel channel;
    private int highWater = DEFAULT_HIGH_WATER;
    /** The bytes buffered and not sent yet are {@code [view.position(), view.limit())} of {@code view}'s array. */
    private ByteBuffer view = ByteBuffer.allocate(0);
    /** The flush task, while bytes are buffered; null otherwise. */
    private Task<Object> flusher;
    /** Set while at most {@link #highWater} bytes are buffered or the writer failed or closed; made on first need. */
    private Event drained;
    /** Set once the channel is closed; made on first need. */
    private Event closedEvent;
    private boolean closing;
    private boolean closed;
    private boolean eofWanted;
    /** The socket's failure, kept; null while it works. */
    private IOException failure;

    StreamWriter(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Buffers {@code bytes} to be sent, like {@code StreamWriter.write}; never parks. The bytes
     * are copied.
     *
     * @param bytes the bytes to send
     * @throws IOException when the connection failed earlier (its failure is the cause) or the
     *     socket fails now
     * @throws IllegalStateException after {@link #close()} or {@link #writeEof()}
     */
    public void write(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes")));
    }

    /**
     * Buffers {@code text} in UTF-8; see {@link #write(byte[])}.
     *
     * @param text the text to send
     * @throws IOException as {@link #write(byte[])} throws it
     */
    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Buffers the remaining bytes of {@code src}, which it consumes; see {@link #write(byte[])}.
     *
     * @param src the bytes from its position to its limit
     * @throws IOException as {@link #write(byte[])} throws it
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        checkFailure("write");
        if (closing || eofWanted) {
            throw new IllegalStateException("StreamWriter.write: the writer of " + channel + " is "
                    + (closing ? "closed" : "shut down for output (writeEof)"));
        }
        if (!src.hasRemaining()) {
            return;
        }
        if (flusher == null && buffered() == 0) {
            try {
                SocketIo.writeNow(channel, src); // nothing is buffered: offer the bytes to the socket first
            } catch (IOException e) {
                fail(e);
                checkFailure("write");
            }
            if (!src.hasRemaining()) {
                return;
            }
        }
        append(src);
        if (flusher == null) {
            flusher = Asyncio.createTask("flush " + remote(), (AsyncCallable<Object>) () -> flush(null));
        }
        if (drained != null && buffered() > highWater) {
            drained.clear();
        }
    }

    private void append(ByteBuffer src) {
        int size = buffered();
        int more = src.remaining();
        byte[] array = view.array();
        if (view.limit() + more > array.length) {
            byte[] grown = size + more <= array.length ? array : new byte[Math.max(size + more, array.length * 2)];
            System.arraycopy(array, view.position(), grown, 0, size);
            view = ByteBuffer.wrap(grown, 0, size);
        }
        int end = view.limit();
        view.limit(end + more);
        src.get(view.array(), end, more);
    }

    /**
     * Parks until at most the {@linkplain #highWater() high-water mark} of bytes is buffered,
     * like {@code StreamWriter.drain}; returns at once when that is so already. Cancelled while
     * it waits, it loses nothing: the buffered bytes are still sent.
     *
     * @throws IOException when the connection failed (its failure is the cause)
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public void drain() throws IOException {
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamWriter.drain");
        drain(loop, null);
    }

    private Object drain(Frame frame) throws IOException {
        return drain(EventLoop.current(), frame);
    }

    private Object drain(EventLoop loop, Frame frame) throws IOException {
        if (frame != null) {
            Coroutines.resumeValue(loop);
        }
        for (;;) {
            checkFailure("drain");
            if (buffered() <= highWater || closed) {
                return null;
            }
            if (drained == null) {
                drained = new Event();
            }
            drained.clear();
            drained.await();
            if (loop.parking) {
                PrimitiveFrames.spill(loop, frame, DRAIN, /* state = */ 1, this);
                return null;
            }
        }
    }

    /**
     * Closes the connection once every buffered byte is sent, like {@code StreamWriter.close};
     * at once when nothing is buffered. Never parks; {@link #waitClosed()} waits for it. Does
     * nothing the second time.
     */
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (flusher == null) {
            closeNow();
        }
    }

    /**
     * Closes the connection at once, dropping the buffered bytes, like
     * {@code transport.abort()}.
     */
    public void abort() {
        closing = true;
        Task<Object> flushing = flusher;
        flusher = null;
        view = ByteBuffer.allocate(0);
        closeNow();
        if (flushing != null) {
            flushing.cancel();
        }
    }

    /**
     * Shuts the connection down for output once every buffered byte is sent, like
     * {@code StreamWriter.write_eof}: the peer reads the end of the stream, and may still
     * write back. Never parks.
     *
     * @throws IOException when the socket fails
     */
    public void writeEof() throws IOException {
        if (eofWanted || closing) {
            return;
        }
        eofWanted = true;
        if (flusher == null) {
            try {
                SocketIo.shutdownOutput(channel);
            } catch (IOException e) {
                fail(e);
                checkFailure("writeEof");
            }
        }
    }

    /**
     * Parks until the connection is closed, like {@code StreamWriter.wait_closed}: after
     * {@link #close()}, until the buffered bytes are sent and the channel is closed.
     *
     * @throws IOException when the connection failed (its failure is the cause)
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public void waitClosed() throws IOException {
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamWriter.waitClosed");
        waitClosed(loop, null);
    }

    private Object waitClosed(Frame frame) throws IOException {
        return waitClosed(EventLoop.current(), frame);
    }

    private Object waitClosed(EventLoop loop, Frame frame) throws IOException {
        if (frame != null) {
            Coroutines.resumeValue(loop);
        }
        if (!closed) {
            if (closedEvent == null) {
                closedEvent = new Event();
            }
            closedEvent.await();
            if (loop.parking) {
                PrimitiveFrames.spill(loop, frame, WAIT_CLOSED, /* state = */ 1, this);
                return null;
            }
        }
        checkFailure("waitClosed");
        return null;
    }

    /** The flush task's body: sends the buffer, parking while the socket is full. Hand-woven. */
    private Object flush(Frame frame) {
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamWriter.flush");
        if (frame != null) {
            try {
                Coroutines.resumeValue(loop);
            } catch (CancellationException cancelled) {
                if (flusher == Asyncio.currentTask()) {
                    flusher = null;
                }
                throw cancelled;
            }
        }
        try {
            while (view.hasRemaining()) {
                if (SocketIo.writeNow(channel, view) == 0) {
                    if (drained != null && buffered() <= highWater) {
                        drained.set();
                    }
                    SocketIo.awaitWritable(loop, channel);
                    PrimitiveFrames.spill(loop, frame, FLUSH, /* state = */ 1, this);
                    return null;
                }
            }
            flusher = null;
            view.clear().limit(0);
            if (drained != null) {
                drained.set();
            }
            if (closing) {
                closeNow();
            } else if (eofWanted) {
                SocketIo.shutdownOutput(channel);
            }
        } catch (IOException e) {
            flusher = null;
            fail(e);
        }
        return null;
    }

    private void fail(IOException e) {
        if (failure == null && !closing) {
            failure = e;
        }
        view = ByteBuffer.allocate(0);
        closing = true;
        closeNow();
    }

    private void checkFailure(String what) throws IOException {
        if (failure != null) {
            throw new IOException("StreamWriter." + what + ": the connection " + channel + " failed: " + failure,
                    failure);
        }
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all that was asked; the descriptor is released either way
        }
        if (drained != null) {
            drained.set();
        }
        if (closedEvent != null) {
            closedEvent.set();
        }
    }

    /**
     * How many bytes are buffered and not sent yet.
     *
     * @return a count of bytes
     */
    public int buffered() {
        return view.remaining();
    }

    /**
     * The high-water mark of {@link #drain()}.
     *
     * @return the mark in bytes
     */
    public int highWater() {
        return highWater;
    }

    /**
     * Sets the high-water mark of {@link #drain()}, like {@code transport.set_write_buffer_limits(high)}.
     *
     * @param highWater the mark in bytes, not negative; 0 makes {@code drain} wait until
     *     everything is sent
     * @throws IllegalArgumentException when {@code highWater} is negative
     */
    public void setHighWater(int highWater) {
        if (highWater < 0) {
            throw new IllegalArgumentException("StreamWriter high-water mark is negative: " + highWater);
        }
        this.highWater = highWater;
    }

    /**
     * Whether {@link #close()} or {@link #abort()} was called, or the connection failed, like
     * {@code StreamWriter.is_closing}.
     *
     * @return {@code true} once closing has begun
     */
    public boolean isClosing() {
        return closing;
    }

    /**
     * The address of the peer, like {@code get_extra_info("peername")}.
     *
     * @return the address, or null when the channel is closed or not connected
     */
    public SocketAddress remoteAddress() {
        return remote();
    }

    private SocketAddress remote() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException closedAlready) {
            return null;
        }
    }

    /**
     * The channel both halves of the connection use, for socket options and addresses.
     *
     * @return the channel, non-blocking
     */
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "StreamWriter[" + channel + ", " + buffered() + " bytes buffered" + (closing ? ", closing" : "") + "]";
    }
}
