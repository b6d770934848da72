package io.jasyncio.streams;

import java.io.IOException;

/**
 * A line or a read up to a separator would be longer than the reader's limit, like asyncio's
 * {@code LimitOverrunError}. Nothing was consumed: the bytes stay in the reader, for
 * {@link StreamReader#read(int)} or {@link StreamReader#readExactly(int)} to take, or to be
 * dropped with the connection.
 */
public class LimitOverrunException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int buffered;

    /**
     * @param message what overran which limit
     * @param buffered how many bytes the reader holds
     */
    public LimitOverrunException(String message, int buffered) {
        super(message);
        this.buffered = buffered;
    }

    /**
     * How many bytes the reader held when the limit was overrun, all still there.
     *
     * @return a count of bytes
     */
    public int buffered() {
        return buffered;
    }
}
