package io.jasyncio.streams;

import java.util.Objects;

/**
 * The two halves of a TCP connection, the pair {@code asyncio.open_connection} returns:
 * {@link #reader()} and {@link #writer()} share one {@link java.nio.channels.SocketChannel}.
 */
public final class StreamConnection {
    private final StreamReader reader;
    private final StreamWriter writer;

    StreamConnection(StreamReader reader, StreamWriter writer) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    /**
     * The reading half.
     *
     * @return the reader, never null
     */
    public StreamReader reader() {
        return reader;
    }

    /**
     * The writing half; {@link StreamWriter#close()} closes the connection.
     *
     * @return the writer, never null
     */
    public StreamWriter writer() {
        return writer;
    }

    @Override
    public String toString() {
        return "StreamConnection[" + writer.channel() + "]";
    }
}
