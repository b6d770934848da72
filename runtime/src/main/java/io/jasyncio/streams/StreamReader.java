package io.jasyncio.streams;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.SocketIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reading half of a TCP connection, like {@code asyncio.StreamReader}: reads lines, exact
 * counts of bytes, or bytes up to a separator, parking while the bytes have not come yet.
 *
 * <h2>Overview</h2>
 * The reader keeps one buffer of bytes received and not yet consumed. Every read is a
 * <em>request</em> looked at against the buffer: when the buffer satisfies it, the bytes are
 * taken and returned; when it does not, the reader reads more from the socket
 * ({@code Asyncio.read}, which parks until at least one byte came) and looks again. The bytes
 * go from the socket into the buffer only when the reading task runs, and out of the buffer
 * only when a request is satisfied, so a read that is cancelled while it waits consumes
 * nothing: every byte it had buffered stays for the next read. The read methods are written
 * by hand against the woven-code ABI (the runtime is not woven); the request being served
 * lives in this object's fields, so a parked read spills only {@code this}.
 *
 * <p>One task at a time may read: a second task starting a read while one waits in a read of
 * this reader gets an {@code IllegalStateException} naming both, as it would take the first
 * one's bytes. Must be used on the loop's thread.
 *
 * <p>A line or a read up to a separator may not exceed the {@linkplain #limit() limit} (64 KiB
 * unless set); {@link #readExactly} and {@link #read} are not limited.
 */
public final class StreamReader {
    /** The default limit of a line or a read up to a separator: 64 KiB, as in asyncio. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private static final int LINE = 1;
    private static final int UNTIL = 2;
    private static final int EXACTLY = 3;
    private static final int SOME = 4;
    private static final byte[] NEWLINE = {'\n'};
    /** What a request answers while the buffer does not satisfy it yet. */
    private static final Object MORE = new Object();
    /** What a line request answers at the end of the stream with nothing buffered: {@code null} to the caller. */
    private static final Object NO_LINE = new Object();
    private static final byte[] EMPTY = new byte[0];
    /** The capacity up to which a buffer the socket fills is doubled; it starts at 1 KiB. */
    private static final int GROWN = 64 * 1024;
    private static final Resumer RESUME = frame -> frame == null ? null
            : ((StreamReader) frame.refs[0]).serve(EventLoop.current(), frame, frame.state);

    private final SocketChannel channel;
    private int limit = DEFAULT_LIMIT;
    /**
     * The bytes received and not consumed are {@code [start, buffer.position())} of its array;
     * the buffer is in filling mode (position = end of the bytes, limit = capacity).
     */
    private ByteBuffer buffer = ByteBuffer.allocate(1024);
    private int start;
    /** Where the search for the request's separator resumes: the bytes before it were searched. */
    private int searched;
    private boolean eof;
    /** The task parked in a read of this reader (woken or not), or null. */
    private Task<?> waiter;
    // The request being served: its size, separator and charset.
    private int wanted;
    private byte[] separator;
    private Charset charset;

    StreamReader(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * The limit of a line (without its terminator) or of a read up to a separator, separator
     * included.
     *
     * @return the limit in bytes
     */
    public int limit() {
        return limit;
    }

    /**
     * Sets the {@linkplain #limit() limit}.
     *
     * @param limit the limit in bytes, at least 1
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    public void setLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("StreamReader limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Reads one line of UTF-8 text; see {@link #readLine(Charset)}.
     *
     * @return the line without its terminator, or {@code null} at the end of the stream
     * @throws IOException as {@link #readLine(Charset)} throws it
     */
    @Async
    public String readLine() throws IOException {
        return readLine(StandardCharsets.UTF_8);
    }

    /**
     * Reads one line, like {@code StreamReader.readline}, parking until it has come. A line ends
     * at {@code \n}; the terminator ({@code \n} or {@code \r\n}) is consumed and left out of the
     * string, as {@link java.io.BufferedReader#readLine()} does. At the end of the stream, what
     * is left without a terminator is the last line; after it, {@code null}.
     *
     * <p>Cancelled while it waits, it has consumed nothing: the part of the line already
     * received stays for the next read.
     *
     * @param charset how the line's bytes are decoded
     * @return the line without its terminator, or {@code null} at the end of the stream
     * @throws LimitOverrunException when the line is longer than the {@linkplain #limit() limit};
     *     nothing is consumed
     * @throws IOException as the socket's read throws it
     * @throws IllegalStateException when another task is waiting in a read of this reader
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public String readLine(Charset charset) throws IOException {
        Objects.requireNonNull(charset, "charset");
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamReader.readLine");
        begin("readLine");
        this.separator = NEWLINE;
        this.charset = charset;
        return (String) serve(loop, null, LINE);
    }

    /**
     * Reads up to and including {@code separator}, like {@code StreamReader.readuntil}, parking
     * until it has come.
     *
     * <p>Cancelled while it waits, it has consumed nothing.
     *
     * @param separator the bytes that end the read, not empty
     * @return the bytes read, ending with {@code separator}
     * @throws IncompleteReadException at the end of the stream before the separator; what was
     *     left is consumed and in its {@code partial()}
     * @throws LimitOverrunException when the separator is not within the {@linkplain #limit() limit}
     *     bytes; nothing is consumed
     * @throws IOException as the socket's read throws it
     * @throws IllegalArgumentException when {@code separator} is empty
     * @throws IllegalStateException when another task is waiting in a read of this reader
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public byte[] readUntil(byte[] separator) throws IOException {
        Objects.requireNonNull(separator, "separator");
        if (separator.length == 0) {
            throw new IllegalArgumentException("readUntil: the separator is empty");
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamReader.readUntil");
        begin("readUntil");
        this.separator = separator.clone();
        return (byte[]) serve(loop, null, UNTIL);
    }

    /**
     * Reads exactly {@code count} bytes, like {@code StreamReader.readexactly}, parking until
     * they have all come.
     *
     * <p>Cancelled while it waits, it has consumed nothing: the bytes already received stay
     * for the next read.
     *
     * @param count how many bytes, not negative
     * @return a new array of {@code count} bytes
     * @throws IncompleteReadException at the end of the stream before {@code count} bytes; the
     *     bytes that came are consumed and in its {@code partial()}
     * @throws IOException as the socket's read throws it
     * @throws IllegalArgumentException when {@code count} is negative
     * @throws IllegalStateException when another task is waiting in a read of this reader
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public byte[] readExactly(int count) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("readExactly: count is negative: " + count);
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamReader.readExactly");
        begin("readExactly");
        this.wanted = count;
        return (byte[]) serve(loop, null, EXACTLY);
    }

    /**
     * Reads at most {@code max} bytes, like {@code StreamReader.read(n)}: what is buffered, or
     * else parks until at least one byte has come.
     *
     * @param max the most bytes to return, not negative; 0 returns an empty array at once
     * @return a new array of 1 to {@code max} bytes; empty at the end of the stream
     * @throws IOException as the socket's read throws it
     * @throws IllegalArgumentException when {@code max} is negative
     * @throws IllegalStateException when another task is waiting in a read of this reader
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public byte[] read(int max) throws IOException {
        if (max < 0) {
            throw new IllegalArgumentException("read: max is negative: " + max);
        }
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamReader.read");
        begin("read");
        this.wanted = max;
        return (byte[]) serve(loop, null, SOME);
    }

    /**
     * Whether the peer has closed its side and every byte it sent has been consumed, like
     * {@code StreamReader.at_eof}. Does not park or read.
     *
     * @return {@code true} when no read can return more bytes
     */
    public boolean atEof() {
        return eof && buffered() == 0;
    }

    /**
     * How many bytes have been received and not consumed yet.
     *
     * @return a count of bytes
     */
    public int buffered() {
        return buffer.position() - start;
    }

    private void begin(String what) {
        Task<?> self = Asyncio.currentTask();
        if (waiter != null && waiter != self) {
            throw new IllegalStateException("StreamReader." + what + ": task " + self.name() + " cannot read "
                    + channel + ": task " + waiter.name() + " is already waiting in a read of this stream; "
                    + "two readers would take each other's bytes: guard it with a Lock");
        }
        searched = start; // the last request may have looked for another separator
    }

    /**
     * Serves the request {@code request} until the buffer satisfies it, reading more while it
     * does not: the state machine of every read. {@code frame} is null on the first call, and
     * the frame it parked with when the read that was asked for more bytes returns.
     */
    private Object serve(EventLoop loop, Frame frame, int request) throws IOException {
        try {
            if (frame != null) {
                int count = (Integer) Coroutines.resumeValue(loop); // may throw the cancellation: nothing consumed
                if (count < 0) {
                    eof = true;
                }
            }
            for (;;) {
                Object result = answer(request);
                if (result != MORE) {
                    waiter = null;
                    separator = null;
                    charset = null;
                    return result == NO_LINE ? null : result;
                }
                int count = fill(loop);
                if (loop.parking) {
                    waiter = Asyncio.currentTask();
                    PrimitiveFrames.spill(loop, frame, RESUME, request, this);
                    return null;
                }
                if (count < 0) {
                    eof = true;
                }
            }
        } catch (Throwable failure) {
            waiter = null;
            throw Coroutines.<IOException>sneakyThrow(failure);
        }
    }

    /** What {@code request} returns from the buffer as it is, or {@link #MORE}. */
    private Object answer(int request) throws IOException {
        byte[] array = buffer.array();
        int end = buffer.position();
        int size = end - start;
        switch (request) {
            case LINE: {
                int found = indexOf(array, end, separator);
                if (found >= 0) {
                    if (found - start - (found > start && array[found - 1] == '\r' ? 1 : 0) > limit) {
                        throw overrun(request, size);
                    }
                    return line(array, found);
                }
                if (size - (size > 0 && array[end - 1] == '\r' ? 1 : 0) > limit) {
                    throw overrun(request, size);
                }
                if (!eof) {
                    return MORE;
                }
                return size == 0 ? NO_LINE : new String(take(size), charset);
            }
            case UNTIL: {
                int found = indexOf(array, end, separator);
                if (found >= 0) {
                    int length = found + separator.length - start;
                    if (length > limit) {
                        throw overrun(request, size);
                    }
                    return take(length);
                }
                if (size >= limit) {
                    throw overrun(request, size);
                }
                if (!eof) {
                    return MORE;
                }
                throw new IncompleteReadException(take(size), -1);
            }
            case EXACTLY:
                if (size >= wanted) {
                    return take(wanted);
                }
                if (eof) {
                    throw new IncompleteReadException(take(size), wanted);
                }
                return MORE;
            default: // SOME
                if (size > 0 || wanted == 0) {
                    return take(Math.min(size, wanted));
                }
                return eof ? EMPTY : MORE;
        }
    }

    private LimitOverrunException overrun(int request, int size) {
        searched = start;
        return new LimitOverrunException(request == LINE
                ? "StreamReader.readLine: the line is longer than the limit of " + limit + " bytes; " + size
                        + " bytes are buffered and left for the next read"
                : "StreamReader.readUntil: the separator was not found within the limit of " + limit + " bytes; "
                        + size + " bytes are buffered and left for the next read", size);
    }

    /** The line ending with the {@code \n} at {@code newline}, decoded, its terminator consumed too. */
    private String line(byte[] array, int newline) {
        int end = newline > start && array[newline - 1] == '\r' ? newline - 1 : newline;
        String text = new String(array, start, end - start, charset);
        consume(newline + 1 - start);
        return text;
    }

    /** The index of {@code separator} in the buffered bytes, or -1; remembers how far it searched. */
    private int indexOf(byte[] array, int end, byte[] separator) {
        int from = Math.max(searched, start);
        int last = end - separator.length;
        byte first = separator[0];
        for (int i = from; i <= last; i++) {
            if (array[i] == first && matches(array, i, separator)) {
                return i;
            }
        }
        searched = Math.max(start, last + 1);
        return -1;
    }

    private static boolean matches(byte[] array, int at, byte[] separator) {
        for (int j = 1; j < separator.length; j++) {
            if (array[at + j] != separator[j]) {
                return false;
            }
        }
        return true;
    }

    /** Consumes and returns the first {@code count} buffered bytes. */
    private byte[] take(int count) {
        byte[] bytes = Arrays.copyOfRange(buffer.array(), start, start + count);
        consume(count);
        return bytes;
    }

    private void consume(int count) {
        start += count;
        searched = start;
        if (start == buffer.position()) {
            start = 0;
            searched = 0;
            if (!buffer.hasRemaining() && buffer.capacity() < GROWN) {
                buffer = ByteBuffer.allocate(buffer.capacity() * 2); // the socket filled it: a busy stream
            } else {
                buffer.clear();
            }
        }
    }

    /** Reads more bytes into the buffer, making room first: {@code Asyncio.read}'s count, or parks. */
    private int fill(EventLoop loop) throws IOException {
        if (!buffer.hasRemaining()) {
            int size = buffered();
            byte[] array = buffer.array();
            if (start > 0 && size <= array.length / 2) {
                System.arraycopy(array, start, array, 0, size);
                searched -= start;
                start = 0;
                buffer.position(size);
            } else {
                ByteBuffer grown = ByteBuffer.allocate(array.length * 2);
                grown.put(array, start, size);
                searched -= start;
                start = 0;
                buffer = grown;
            }
        }
        return SocketIo.read(loop, channel, buffer);
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "StreamReader[" + channel + ", " + buffered() + " bytes buffered" + (eof ? ", at the end" : "") + "]";
    }
}
